using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Reference.Gateway.Propagation.InternalTokens;

/// <summary>
/// The gateway's ES256 key for internal tokens: the signing credentials, its <c>kid</c> (the RFC 7638 JWK
/// thumbprint) and the public JWKS document published at <c>/.well-known/internal-jwks.json</c>.
/// </summary>
internal sealed class InternalSigningKey : IDisposable
{
    public const string Algorithm = SecurityAlgorithms.EcdsaSha256;

    private readonly ECDsa _ecdsa;

    public InternalSigningKey(ECDsa ecdsa)
    {
        ArgumentNullException.ThrowIfNull(ecdsa);
        var parameters = ecdsa.ExportParameters(includePrivateParameters: false);
        if (parameters.Curve.Oid?.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            throw new ArgumentException("The internal signing key must be an ECDSA P-256 key.", nameof(ecdsa));
        }

        _ecdsa = ecdsa;
        var x = Base64Url.EncodeToString(parameters.Q.X);
        var y = Base64Url.EncodeToString(parameters.Q.Y);
        KeyId = Thumbprint(x, y);
        Credentials = new SigningCredentials(new ECDsaSecurityKey(ecdsa) { KeyId = KeyId }, Algorithm);
        JwksDocument = BuildJwks(KeyId, x, y);
    }

    public string KeyId { get; }

    public SigningCredentials Credentials { get; }

    /// <summary>The UTF-8 JSON of the public JWKS.</summary>
    public ReadOnlyMemory<byte> JwksDocument { get; }

    public void Dispose() => _ecdsa.Dispose();

    // RFC 7638 §3.2: the required members only, in lexicographic order, no whitespace.
    private static string Thumbprint(string x, string y) =>
        Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes($"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{x}\",\"y\":\"{y}\"}}")));

    private static byte[] BuildJwks(string kid, string x, string y)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("keys");
            writer.WriteStartObject();
            writer.WriteString("kty", "EC");
            writer.WriteString("use", "sig");
            writer.WriteString("alg", Algorithm);
            writer.WriteString("kid", kid);
            writer.WriteString("crv", "P-256");
            writer.WriteString("x", x);
            writer.WriteString("y", y);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
