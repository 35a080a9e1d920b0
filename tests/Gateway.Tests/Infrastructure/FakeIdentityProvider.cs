using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;

namespace Reference.Gateway.Tests.Infrastructure;

/// <summary>
/// A fake IdentityProvider: OIDC discovery and a JWKS with test RSA and EC keys (generated per run, never
/// stored), request counters, and an "attacker" endpoint that counts hits (it must never be called).
/// </summary>
public sealed class FakeIdentityProvider : TestServerHost
{
    public const string RsaKeyId = "rsa-1";
    public const string EcKeyId = "ec-1";

    private readonly List<JsonWebKey> _published = [];
    private int _discoveryRequests;
    private int _jwksRequests;
    private int _attackerRequests;

    public FakeIdentityProvider()
    {
        Publish(RsaKeyId, Rsa);
        Publish(EcKeyId, Ec);
    }

    public RSA Rsa { get; } = RSA.Create(2048);

    public ECDsa Ec { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public string Issuer => Url;

    public int DiscoveryRequests => Volatile.Read(ref _discoveryRequests);

    public int JwksRequests => Volatile.Read(ref _jwksRequests);

    public int AttackerRequests => Volatile.Read(ref _attackerRequests);

    public string AttackerUrl => $"{Url}/attacker/keys";

    public void Publish(string kid, RSA rsa)
    {
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(false)));
        jwk.Kid = kid;
        jwk.Use = "sig";
        jwk.Alg = "RS256";
        lock (_published)
        {
            _published.Add(jwk);
        }
    }

    public void Publish(string kid, ECDsa ecdsa)
    {
        var parameters = ecdsa.ExportParameters(false);
        var jwk = new JsonWebKey
        {
            Kty = "EC",
            Crv = "P-256",
            X = Jws.B64(parameters.Q.X!),
            Y = Jws.B64(parameters.Q.Y!),
            Kid = kid,
            Use = "sig",
            Alg = "ES256",
        };
        lock (_published)
        {
            _published.Add(jwk);
        }
    }

    public static Dictionary<string, object?> Header(string alg = "RS256", string? kid = null) => new()
    {
        ["alg"] = alg,
        ["typ"] = "at+jwt",
        ["kid"] = kid ?? (alg.StartsWith("ES", StringComparison.Ordinal) ? EcKeyId : RsaKeyId),
    };

    public Dictionary<string, object?> Payload(string scope = "orders.read orders.write", TimeSpan? lifetime = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new Dictionary<string, object?>
        {
            ["iss"] = Issuer,
            ["sub"] = "demo-client",
            ["aud"] = new[] { "reference-api", "orders-api" },
            ["client_id"] = "demo-client",
            ["scope"] = scope,
            ["tenant_id"] = "tenant-a",
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + (long)(lifetime ?? TimeSpan.FromMinutes(15)).TotalSeconds,
            ["jti"] = Guid.NewGuid().ToString("N"),
        };
    }

    /// <summary>A valid access token (RS256 unless <paramref name="alg"/> is ES256), optionally edited first.</summary>
    public string CreateToken(
        Action<Dictionary<string, object?>>? editHeader = null,
        Action<Dictionary<string, object?>>? editPayload = null,
        string alg = "RS256",
        string scope = "orders.read orders.write")
    {
        var header = Header(alg);
        var payload = Payload(scope);
        editHeader?.Invoke(header);
        editPayload?.Invoke(payload);
        return Sign(Jws.Json(header), Jws.Json(payload), alg);
    }

    public string Sign(string headerJson, string payloadJson, string alg = "RS256")
    {
        var input = Jws.SigningInput(headerJson, payloadJson);
        return alg.StartsWith("ES", StringComparison.Ordinal) ? Jws.SignEcdsa(input, Ec) : Jws.SignRsa(input, Rsa);
    }

    protected override void Map(WebApplication app)
    {
        app.MapGet("/.well-known/openid-configuration", () =>
        {
            Interlocked.Increment(ref _discoveryRequests);
            return Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = Issuer,
                ["jwks_uri"] = $"{Url}/.well-known/jwks",
                ["token_endpoint"] = $"{Url}/connect/token",
            });
        });
        app.MapGet("/.well-known/jwks", () =>
        {
            Interlocked.Increment(ref _jwksRequests);
            lock (_published)
            {
                return Results.Text(
                    System.Text.Json.JsonSerializer.Serialize(new { keys = _published.Select(ToJson).ToArray() }),
                    "application/json");
            }
        });
        app.Map("/attacker/{**rest}", () =>
        {
            Interlocked.Increment(ref _attackerRequests);
            return Results.Ok();
        });
    }

    private static Dictionary<string, string> ToJson(JsonWebKey key)
    {
        var json = new Dictionary<string, string> { ["kty"] = key.Kty, ["kid"] = key.Kid, ["use"] = key.Use, ["alg"] = key.Alg };
        if (key.Kty == "RSA")
        {
            json["n"] = key.N;
            json["e"] = key.E;
        }
        else
        {
            json["crv"] = key.Crv;
            json["x"] = key.X;
            json["y"] = key.Y;
        }

        return json;
    }
}
