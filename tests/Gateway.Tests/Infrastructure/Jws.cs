using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Reference.Gateway.Tests.Infrastructure;

/// <summary>Builds compact JWS by hand, so tests can produce every malformed or hostile variant.</summary>
public static class Jws
{
    public static string B64(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

    public static string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);

    public static string Json(IReadOnlyDictionary<string, object?> members) => JsonSerializer.Serialize(members);

    public static string SigningInput(string headerJson, string payloadJson) => $"{B64(headerJson)}.{B64(payloadJson)}";

    public static string SignRsa(string signingInput, RSA rsa) =>
        $"{signingInput}.{B64(rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))}";

    public static string SignEcdsa(string signingInput, ECDsa ecdsa, DSASignatureFormat format = DSASignatureFormat.IeeeP1363FixedFieldConcatenation) =>
        $"{signingInput}.{B64(ecdsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, format))}";

    public static string SignHmac(string signingInput, byte[] key) =>
        $"{signingInput}.{B64(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(signingInput)))}";
}
