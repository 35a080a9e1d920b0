using System.Security.Cryptography;
using System.Text;

namespace Reference.Gateway.Authentication;

/// <summary>A short SHA-256 prefix of a token: enough to correlate log lines, useless to replay.</summary>
internal static class TokenHash
{
    public static string Prefix(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(token), hash);
        return Convert.ToHexStringLower(hash[..6]);
    }
}
