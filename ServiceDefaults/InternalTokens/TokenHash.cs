using System.Security.Cryptography;
using System.Text;

namespace Reference.ServiceDefaults.InternalTokens;

/// <summary>
/// Identifies a token in logs by a short SHA-256 prefix, never the token itself. The hash is computed
/// only when a log line is actually written.
/// </summary>
internal readonly struct TokenHash(string token)
{
    public override string ToString() =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..12];
}
