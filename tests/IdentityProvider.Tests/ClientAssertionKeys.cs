using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Reference.IdentityProvider.Tests;

/// <summary>The private_key_jwt test client's key pairs (generated per test run) and a client-assertion builder.</summary>
internal static class ClientAssertionKeys
{
    public const string RsaKeyId = "rsa-1";
    public const string EcKeyId = "ec-1";

    public static readonly RSA Rsa = RSA.Create(2048);
    public static readonly ECDsa Ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public static readonly string JwksJson = BuildJwks();

    public static SigningCredentials Credentials(string algorithm) => algorithm switch
    {
        "ES256" => new SigningCredentials(new ECDsaSecurityKey(Ec) { KeyId = EcKeyId }, algorithm),
        "HS256" => new SigningCredentials(new SymmetricSecurityKey(Rsa.ExportParameters(false).Modulus!) { KeyId = RsaKeyId }, algorithm),
        _ => new SigningCredentials(new RsaSecurityKey(Rsa) { KeyId = RsaKeyId }, algorithm),
    };

    /// <summary>A client assertion for the token endpoint, valid for one minute from <paramref name="now"/> unless overridden.</summary>
    public static string Create(
        DateTimeOffset now,
        string clientId = IdentityProviderFactory.JwtClientId,
        string? audience = IdentityProviderFactory.Issuer + "/connect/token",
        string algorithm = "RS256",
        string? jti = null,
        TimeSpan? lifetime = null,
        string? keyId = null,
        bool includeExpiry = true,
        bool includeJti = true)
    {
        var credentials = Credentials(algorithm);
        if (keyId is not null)
        {
            credentials.Key.KeyId = keyId;
        }

        var claims = new Dictionary<string, object> { ["sub"] = clientId };
        if (includeJti)
        {
            claims["jti"] = jti ?? Guid.NewGuid().ToString("N");
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = audience,
            IssuedAt = now.UtcDateTime,
            Expires = includeExpiry ? (now + (lifetime ?? TimeSpan.FromMinutes(1))).UtcDateTime : null,
            SigningCredentials = credentials,
            Claims = claims,
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    /// <summary>An unsigned assertion (<c>alg: none</c>) with valid-looking claims.</summary>
    public static string CreateUnsigned(DateTimeOffset now, string alg = "none")
    {
        var header = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["alg"] = alg, ["typ"] = "JWT" }));
        var payload = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = IdentityProviderFactory.JwtClientId,
            ["sub"] = IdentityProviderFactory.JwtClientId,
            ["aud"] = IdentityProviderFactory.Issuer + "/connect/token",
            ["exp"] = now.AddMinutes(1).ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
        }));
        return header + "." + payload + ".";
    }

    private static string BuildJwks()
    {
        var rsa = Rsa.ExportParameters(false);
        var ec = Ec.ExportParameters(false);
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["keys"] = new object[]
            {
                new Dictionary<string, string> { ["kty"] = "RSA", ["kid"] = RsaKeyId, ["use"] = "sig", ["n"] = Base64Url.EncodeToString(rsa.Modulus), ["e"] = Base64Url.EncodeToString(rsa.Exponent) },
                new Dictionary<string, string> { ["kty"] = "EC", ["kid"] = EcKeyId, ["use"] = "sig", ["crv"] = "P-256", ["x"] = Base64Url.EncodeToString(ec.Q.X), ["y"] = Base64Url.EncodeToString(ec.Q.Y) },
            },
        });
    }
}
