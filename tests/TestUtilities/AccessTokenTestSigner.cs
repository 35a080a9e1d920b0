using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Reference.TestUtilities;

/// <summary>
/// Signs IdentityProvider-style access tokens (RFC 9068, <c>typ</c> <c>at+jwt</c>, RS256) in tests with a
/// throw-away 2048-bit RSA key. Test-only: never a real key.
/// </summary>
public sealed class AccessTokenTestSigner : IDisposable
{
    public AccessTokenTestSigner(string issuer, string keyId = "idp-test-key-1")
    {
        Issuer = issuer;
        KeyId = keyId;
        Key = RSA.Create(2048);
    }

    public string Issuer { get; }

    public string KeyId { get; }

    public RSA Key { get; }

    /// <summary>The public JWK of this signer.</summary>
    public Dictionary<string, object?> PublicJwk()
    {
        var p = Key.ExportParameters(includePrivateParameters: false);
        return new Dictionary<string, object?>
        {
            ["kty"] = "RSA",
            ["n"] = Base64UrlEncoder.Encode(p.Modulus),
            ["e"] = Base64UrlEncoder.Encode(p.Exponent),
            ["kid"] = KeyId,
            ["use"] = "sig",
            ["alg"] = "RS256",
        };
    }

    public Dictionary<string, object?> DefaultHeader() => new()
    {
        ["alg"] = "RS256",
        ["typ"] = "at+jwt",
        ["kid"] = KeyId,
    };

    /// <summary>
    /// The claims of an exchanged access token for <paramref name="audience"/>, valid for 5 minutes; the actor
    /// defaults to the gateway (<c>act: {sub: gateway}</c>); set <c>claims["act"] = null</c> for a raw token.
    /// </summary>
    public Dictionary<string, object?> Claims(
        DateTimeOffset now, string audience, string scope, string tenantId = "tenant-a", string subject = "alice", object? actor = null) => new()
    {
        ["iss"] = Issuer,
        ["aud"] = audience,
        ["sub"] = subject,
        ["client_id"] = "demo-client",
        ["tenant_id"] = tenantId,
        ["scope"] = scope,
        ["roles"] = new[] { "orders.admin" },
        ["email"] = subject + "@example.test",
        ["act"] = actor ?? new Dictionary<string, object?> { ["sub"] = "gateway", ["client_id"] = "gateway" },
        ["iat"] = now.ToUnixTimeSeconds(),
        ["nbf"] = now.ToUnixTimeSeconds(),
        ["exp"] = now.AddMinutes(5).ToUnixTimeSeconds(),
        ["jti"] = Guid.NewGuid().ToString("N"),
    };

    public string CreateToken(IDictionary<string, object?> claims, IDictionary<string, object?>? header = null)
    {
        var input = InternalTokenTestSigner.Encode(header ?? DefaultHeader()) + "." + InternalTokenTestSigner.Encode(claims);
        return input + "." + Base64UrlEncoder.Encode(Key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    public void Dispose() => Key.Dispose();
}
