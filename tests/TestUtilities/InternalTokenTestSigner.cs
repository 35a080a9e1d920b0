using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Reference.TestUtilities;

/// <summary>
/// Signs gateway-style internal tokens in tests with a throw-away ES256 key generated per instance,
/// and writes the JWKS that publishes it. Tokens are assembled by hand so tests can also build
/// malformed ones (other algorithms, extra headers, bad signatures). Test-only: never a real key.
/// </summary>
public sealed class InternalTokenTestSigner : IDisposable
{
    public const string DefaultIssuer = "urn:reference:gateway";

    public InternalTokenTestSigner(string keyId = "test-internal-key-1")
    {
        KeyId = keyId;
        Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    }

    public string KeyId { get; }

    public ECDsa Key { get; }

    /// <summary>The public JWK of this signer as a JSON object.</summary>
    public Dictionary<string, object?> PublicJwk()
    {
        var p = Key.ExportParameters(includePrivateParameters: false);
        return new Dictionary<string, object?>
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["x"] = Base64UrlEncoder.Encode(p.Q.X),
            ["y"] = Base64UrlEncoder.Encode(p.Q.Y),
            ["kid"] = KeyId,
            ["use"] = "sig",
            ["alg"] = "ES256",
        };
    }

    /// <summary>A JWKS document publishing the given signers' public keys.</summary>
    public static string Jwks(params InternalTokenTestSigner[] signers) =>
        JsonSerializer.Serialize(new Dictionary<string, object?> { ["keys"] = signers.Select(s => s.PublicJwk()).ToArray() });

    /// <summary>The header every valid internal token has.</summary>
    public Dictionary<string, object?> DefaultHeader() => new()
    {
        ["alg"] = "ES256",
        ["typ"] = "internal+jwt",
        ["kid"] = KeyId,
    };

    /// <summary>The claims of a valid internal token issued at <paramref name="now"/>, valid for 5 minutes.</summary>
    public static Dictionary<string, object?> DefaultClaims(DateTimeOffset now, string audience, string scope, string tenantId = "tenant-a", string subject = "demo-client") => new()
    {
        ["iss"] = DefaultIssuer,
        ["aud"] = audience,
        ["sub"] = subject,
        ["client_id"] = subject,
        ["tenant_id"] = tenantId,
        ["scope"] = scope,
        ["iat"] = now.ToUnixTimeSeconds(),
        ["nbf"] = now.ToUnixTimeSeconds(),
        ["exp"] = now.AddMinutes(5).ToUnixTimeSeconds(),
        ["jti"] = Guid.NewGuid().ToString("N"),
        ["orig_iss"] = "http://127.0.0.1:5001",
        ["request_id"] = "req-" + Guid.NewGuid().ToString("N")[..8],
    };

    /// <summary>An ES256 token with the given header and claims (null values are left out).</summary>
    public string CreateToken(IDictionary<string, object?> claims, IDictionary<string, object?>? header = null)
    {
        var signingInput = Encode(header ?? DefaultHeader()) + "." + Encode(claims);
        return signingInput + "." + SignEs256(signingInput);
    }

    /// <summary>Signs <paramref name="signingInput"/> with this key: a 64-byte IEEE P1363 signature, base64url.</summary>
    public string SignEs256(string signingInput) =>
        Base64UrlEncoder.Encode(Key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256));

    /// <summary>Base64url of the JSON of <paramref name="members"/>, null members left out.</summary>
    public static string Encode(IDictionary<string, object?> members) =>
        EncodeRaw(JsonSerializer.Serialize(members.Where(m => m.Value is not null).ToDictionary(m => m.Key, m => m.Value)));

    /// <summary>Base64url of the UTF-8 bytes of a raw string (e.g. hand-written JSON).</summary>
    public static string EncodeRaw(string text) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(text));

    public void Dispose() => Key.Dispose();
}
