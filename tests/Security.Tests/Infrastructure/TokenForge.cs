using System.Security.Cryptography;
using System.Text;

namespace Reference.Security.Tests.Infrastructure;

/// <summary>
/// Builds compact JWS from raw JSON text with its own base64url encoder (no JWT library): duplicate members,
/// non-canonical encodings, stripped or zeroed signatures are produced exactly as written.
/// </summary>
public static class TokenForge
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// <summary>RFC 4648 §5 without padding, written out by hand.</summary>
    public static string B64(byte[] bytes)
    {
        var text = new StringBuilder((bytes.Length * 4 / 3) + 3);
        for (var i = 0; i < bytes.Length; i += 3)
        {
            var chunk = bytes[i] << 16;
            var count = Math.Min(3, bytes.Length - i);
            if (count > 1)
            {
                chunk |= bytes[i + 1] << 8;
            }

            if (count > 2)
            {
                chunk |= bytes[i + 2];
            }

            for (var j = 0; j <= count; j++)
            {
                text.Append(Alphabet[(chunk >> (18 - (6 * j))) & 0x3F]);
            }
        }

        return text.ToString();
    }

    public static string B64(string text) => B64(Encoding.UTF8.GetBytes(text));

    public static byte[] FromB64(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '='));
    }

    public static string SigningInput(string headerJson, string payloadJson) => $"{B64(headerJson)}.{B64(payloadJson)}";

    public static string SignRs256(string signingInput, RSA key) =>
        $"{signingInput}.{B64(key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))}";

    public static string SignEs256(string signingInput, ECDsa key, DSASignatureFormat format = DSASignatureFormat.IeeeP1363FixedFieldConcatenation) =>
        $"{signingInput}.{B64(key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, format))}";

    public static string SignHs256(string signingInput, byte[] secret) =>
        $"{signingInput}.{B64(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signingInput)))}";

    /// <summary>A JSON string literal (quotes included) for text placed into raw JSON.</summary>
    public static string Str(string value) => System.Text.Json.JsonSerializer.Serialize(value);

    public static long Unix(DateTimeOffset instant) => instant.ToUnixTimeSeconds();
}
