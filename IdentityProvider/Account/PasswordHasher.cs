using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Reference.IdentityProvider.Account;

/// <summary>
/// PBKDF2-HMAC-SHA256 password hashes in the self-describing form
/// <c>pbkdf2-sha256$&lt;iterations&gt;$&lt;salt base64&gt;$&lt;hash base64&gt;</c> (16-byte salt, 32-byte hash). The
/// iteration count travels with the hash, so it can be raised without invalidating existing hashes.
/// </summary>
internal static class PasswordHasher
{
    public const string Prefix = "pbkdf2-sha256";

    /// <summary>OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256.</summary>
    public const int DefaultIterations = 600_000;

    public const int MaxIterations = 10_000_000;
    private const int SaltSize = 16;
    private const int HashSize = 32;

    /// <summary>Passwords longer than this are refused before hashing (PBKDF2 cost grows with the input only
    /// slightly, but there is no reason to accept megabytes).</summary>
    public const int MaxPasswordLength = 256;

    public static string Hash(string password, int iterations = DefaultIterations)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        var salt = RandomNumberGenerator.GetBytes(SaltSize);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashSize);
        return string.Create(CultureInfo.InvariantCulture, $"{Prefix}${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    public static bool TryParse(string? value, out ParsedPasswordHash parsed)
    {
        parsed = default;
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        var parts = value.Split('$');
        if (parts.Length != 4 || parts[0] != Prefix
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations)
            || iterations is < 1 or > MaxIterations)
        {
            return false;
        }

        try
        {
            var salt = Convert.FromBase64String(parts[2]);
            var hash = Convert.FromBase64String(parts[3]);
            if (salt.Length < SaltSize || hash.Length != HashSize)
            {
                return false;
            }

            parsed = new ParsedPasswordHash(iterations, salt, hash);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Constant-time comparison of the derived hash; false for a malformed stored hash.</summary>
    public static bool Verify(string password, string? storedHash)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (!TryParse(storedHash, out var parsed) || password.Length > MaxPasswordLength)
        {
            return false;
        }

        return Verify(password, parsed);
    }

    public static bool Verify(string password, ParsedPasswordHash parsed)
    {
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), parsed.Salt, parsed.Iterations, HashAlgorithmName.SHA256, HashSize);
        return CryptographicOperations.FixedTimeEquals(actual, parsed.Hash);
    }
}

internal readonly record struct ParsedPasswordHash(int Iterations, byte[] Salt, byte[] Hash);
