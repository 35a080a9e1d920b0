using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;

namespace Reference.Gateway.Tests.Infrastructure;

/// <summary>How the fake IdP answers JWKS requests.</summary>
public enum JwksBehavior
{
    Normal,
    Fail500,
    Garbage,

    /// <summary>The request hangs until the client gives up (or <see cref="FakeIdentityProvider.ReleaseHangs"/>).</summary>
    Hang,
}

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

    /// <summary>How JWKS requests are answered (switchable at any time: outage, garbage, hang, recovery).</summary>
    public JwksBehavior JwksBehavior { get; set; } = JwksBehavior.Normal;

    /// <summary>The JWKS response's <c>Cache-Control: max-age</c>, if any.</summary>
    public TimeSpan? JwksMaxAge { get; set; }

    /// <summary>The JWKS URL (for issuers configured with <c>JwksUri</c> instead of discovery).</summary>
    public string JwksUrl => $"{Url}/.well-known/jwks";

    private TaskCompletionSource _hangs = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ReleaseHangs()
    {
        var hangs = Interlocked.Exchange(ref _hangs, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        hangs.TrySetResult();
    }

    /// <summary>Waits (real time, bounded) until the JWKS endpoint has been requested at least <paramref name="count"/> times.</summary>
    public async Task WaitForJwksRequestsAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (JwksRequests < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Expected {count} JWKS requests, saw {JwksRequests}.");
            }

            await Task.Delay(10);
        }
    }

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

    /// <summary>The clock tokens are issued by (tests with a fake gateway clock set it to the same fake clock).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    public Dictionary<string, object?> Payload(string scope = "orders.read orders.write", TimeSpan? lifetime = null)
    {
        var now = Clock.GetUtcNow().ToUnixTimeSeconds();
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
        app.MapGet("/.well-known/jwks", async (HttpContext context) =>
        {
            Interlocked.Increment(ref _jwksRequests);
            switch (JwksBehavior)
            {
                case JwksBehavior.Fail500:
                    return Results.StatusCode(StatusCodes.Status500InternalServerError);
                case JwksBehavior.Garbage:
                    return Results.Text("{\"keys\": \"definitely not keys\"", "application/json");
                case JwksBehavior.Hang:
                    try
                    {
                        await _hangs.Task.WaitAsync(context.RequestAborted);
                    }
                    catch (OperationCanceledException)
                    {
                        return Results.Empty;
                    }

                    break;
            }

            if (JwksMaxAge is { } maxAge)
            {
                context.Response.Headers.CacheControl = $"public, max-age={(long)maxAge.TotalSeconds}";
            }

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
