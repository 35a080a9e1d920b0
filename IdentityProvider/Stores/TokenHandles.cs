using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Reference.IdentityProvider.Stores;

/// <summary>Opaque handles (authorization codes, refresh and reference tokens): 256 random bits, base64url; Redis
/// keys carry only the handle's SHA-256 so that a read of Redis does not yield usable credentials.</summary>
internal static class TokenHandles
{
    /// <summary>A 256-bit handle encodes to 43 base64url characters; anything much longer is not ours.</summary>
    public const int MaxLength = 128;

    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>Lower-case hex SHA-256 of the handle, as <see cref="AuthorizationCodes.RedisAuthorizationCodeStore"/> keys it.</summary>
    public static string Hash(string handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(handle)));
    }

    /// <summary>A short, non-reversible reference to a credential for logs.</summary>
    public static string LogId(string handle) => Hash(handle)[..12];

    public static bool HasHandleShape(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= MaxLength && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>TTL for a Redis key whose real expiry is checked against the TimeProvider: at least one second.</summary>
    public static TimeSpan Ttl(DateTimeOffset expiresAt, DateTimeOffset now)
    {
        var ttl = expiresAt - now;
        return ttl < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : ttl;
    }
}
