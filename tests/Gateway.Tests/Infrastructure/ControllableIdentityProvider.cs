using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.Tokens;

namespace Reference.Gateway.Tests.Infrastructure;

/// <summary>
/// A fake IdP for introspection and the BFF: discovery, JWKS (one RSA key per run), RFC 7662 introspection that can
/// be made slow or failing and counts its calls, an authorize endpoint that signs the user in at once and redirects
/// back with a code, a token endpoint (code with PKCE S256, refresh-token rotation) issuing signed tokens on the
/// given clock, and end_session. Client authentication is checked (client_secret_basic).
/// </summary>
public sealed class ControllableIdentityProvider(TimeProvider clock) : TestServerHost
{
    public const string KeyId = "idp-rsa";
    public const string IntrospectionClientId = "reference-api";
    public const string IntrospectionSecret = "introspection-secret-3f1";
    public const string BffClientId = "gateway-bff";
    public const string BffSecret = "bff-secret-8c2";
    public const string UserId = "alice";

    private readonly ConcurrentDictionary<string, Dictionary<string, object?>> _activeTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PendingCode> _codes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _refreshTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _endSessionQueries = new();
    private int _introspectionCalls;
    private int _refreshCalls;
    private int _failIntrospections;
    private int _hangIntrospections;

    public RSA Key { get; } = RSA.Create(2048);

    public string Issuer => Url;

    public int IntrospectionCalls => Volatile.Read(ref _introspectionCalls);

    public int RefreshCalls => Volatile.Read(ref _refreshCalls);

    public IReadOnlyList<string> EndSessionQueries => [.. _endSessionQueries];

    /// <summary>Every introspection answers 500 while set.</summary>
    public bool IntrospectionDown { get; set; }

    /// <summary>Refresh-token grants answer 400 invalid_grant while set.</summary>
    public bool RejectRefresh { get; set; }

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    public string SessionId { get; set; } = "idp-session-1";

    /// <summary>The next <paramref name="count"/> introspection calls answer 500.</summary>
    public void FailNextIntrospections(int count) => Volatile.Write(ref _failIntrospections, count);

    /// <summary>The next <paramref name="count"/> introspection calls take 3 s (longer than the gateway's timeout).</summary>
    public void HangNextIntrospections(int count) => Volatile.Write(ref _hangIntrospections, count);

    /// <summary>Registers an opaque token as active, with the given claims on top of sensible defaults.</summary>
    public string IssueOpaqueToken(TimeSpan lifetime, Action<Dictionary<string, object?>>? edit = null)
    {
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var claims = new Dictionary<string, object?>
        {
            ["active"] = true,
            ["sub"] = UserId,
            ["client_id"] = "demo-spa",
            ["scope"] = "orders.read orders.write",
            ["tenant_id"] = "tenant-a",
            ["iss"] = Issuer,
            ["aud"] = new[] { "reference-api", "orders-api" },
            ["exp"] = (clock.GetUtcNow() + lifetime).ToUnixTimeSeconds(),
            ["email"] = "alice@example.com",
            ["roles"] = new[] { "buyer" },
        };
        edit?.Invoke(claims);
        _activeTokens[token] = claims;
        return token;
    }

    public void Revoke(string token) => _activeTokens.TryRemove(token, out _);

    public string Sign(Dictionary<string, object?> payload, string typ = "JWT", RSA? key = null)
    {
        var header = new Dictionary<string, object?> { ["alg"] = "RS256", ["kid"] = KeyId, ["typ"] = typ };
        return Jws.SignRsa(Jws.SigningInput(Jws.Json(header), Jws.Json(payload)), key ?? Key);
    }

    /// <summary>A valid back-channel logout token for <see cref="SessionId"/>, optionally edited.</summary>
    public string CreateLogoutToken(Action<Dictionary<string, object?>>? edit = null, string typ = "logout+jwt", RSA? key = null)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var payload = new Dictionary<string, object?>
        {
            ["iss"] = Issuer,
            ["aud"] = BffClientId,
            ["iat"] = now,
            ["exp"] = now + 120,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["sub"] = UserId,
            ["sid"] = SessionId,
            ["events"] = new Dictionary<string, object> { ["http://schemas.openid.net/event/backchannel-logout"] = new Dictionary<string, object>() },
        };
        edit?.Invoke(payload);
        return Sign(payload, typ, key);
    }

    protected override void Map(WebApplication app)
    {
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Issuer,
            ["jwks_uri"] = $"{Url}/.well-known/jwks",
            ["authorization_endpoint"] = $"{Url}/connect/authorize",
            ["token_endpoint"] = $"{Url}/connect/token",
            ["end_session_endpoint"] = $"{Url}/connect/endsession",
            ["introspection_endpoint"] = $"{Url}/connect/introspect",
            ["response_types_supported"] = new[] { "code" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        }));
        app.MapGet("/.well-known/jwks", () =>
        {
            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(Key.ExportParameters(false)));
            return Results.Json(new { keys = new[] { new { kty = "RSA", kid = KeyId, use = "sig", alg = "RS256", n = jwk.N, e = jwk.E } } });
        });
        app.MapPost("/connect/introspect", (Delegate)IntrospectAsync);
        app.MapGet("/connect/authorize", (Delegate)Authorize);
        app.MapPost("/connect/token", (Delegate)TokenAsync);
        app.MapGet("/connect/endsession", (HttpContext context) =>
        {
            _endSessionQueries.Enqueue(context.Request.QueryString.Value ?? string.Empty);
            return Results.Ok();
        });
    }

    private async Task<IResult> IntrospectAsync(HttpContext context)
    {
        Interlocked.Increment(ref _introspectionCalls);
        if (Interlocked.Decrement(ref _hangIntrospections) >= 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(3), CancellationToken.None);
        }

        if (IntrospectionDown || Interlocked.Decrement(ref _failIntrospections) >= 0)
        {
            return Results.StatusCode(500);
        }

        if (!IsClient(context, IntrospectionClientId, IntrospectionSecret))
        {
            return Results.Unauthorized();
        }

        var form = await context.Request.ReadFormAsync();
        return _activeTokens.TryGetValue(form["token"].ToString(), out var claims)
            ? Results.Json(claims)
            : Results.Json(new { active = false });
    }

    private IResult Authorize(HttpContext context)
    {
        var query = context.Request.Query;
        if (query["code_challenge_method"] != "S256" || query["client_id"] != BffClientId || query["response_type"] != "code")
        {
            return Results.BadRequest();
        }

        var code = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        _codes[code] = new PendingCode(query["code_challenge"].ToString(), query["redirect_uri"].ToString(), query["nonce"].ToString());
        var separator = query["redirect_uri"].ToString().Contains('?', StringComparison.Ordinal) ? '&' : '?';
        return Results.Redirect(
            $"{query["redirect_uri"]}{separator}code={Uri.EscapeDataString(code)}&state={Uri.EscapeDataString(query["state"].ToString())}&iss={Uri.EscapeDataString(Issuer)}");
    }

    private async Task<IResult> TokenAsync(HttpContext context)
    {
        if (!IsClient(context, BffClientId, BffSecret))
        {
            return Results.Json(new { error = "invalid_client" }, statusCode: 401);
        }

        var form = await context.Request.ReadFormAsync();
        switch (form["grant_type"].ToString())
        {
            case "authorization_code":
                if (!_codes.TryRemove(form["code"].ToString(), out var pending)
                    || pending.RedirectUri != form["redirect_uri"].ToString()
                    || pending.Challenge != Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(form["code_verifier"].ToString()))))
                {
                    return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
                }

                return Results.Json(IssueTokens(pending.Nonce));
            case "refresh_token":
                Interlocked.Increment(ref _refreshCalls);
                if (RejectRefresh || !_refreshTokens.TryRemove(form["refresh_token"].ToString(), out _))
                {
                    return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
                }

                return Results.Json(IssueTokens(nonce: null));
            default:
                return Results.Json(new { error = "unsupported_grant_type" }, statusCode: 400);
        }
    }

    /// <summary>A JWT access token for the gateway's <c>jwt</c> scheme (typ at+jwt, aud reference-api).</summary>
    public string CreateAccessToken() => (string)IssueTokens(nonce: null)["access_token"]!;

    private Dictionary<string, object?> IssueTokens(string? nonce)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var access = Sign(
            new Dictionary<string, object?>
            {
                ["iss"] = Issuer,
                ["sub"] = UserId,
                ["aud"] = new[] { "reference-api" },
                ["client_id"] = BffClientId,
                ["scope"] = "openid profile email offline_access orders.read orders.write",
                ["tenant_id"] = "tenant-a",
                ["roles"] = new[] { "buyer" },
                ["sid"] = SessionId,
                ["iat"] = now,
                ["exp"] = now + (long)AccessTokenLifetime.TotalSeconds,
                ["jti"] = Guid.NewGuid().ToString("N"),
            },
            typ: "at+jwt");
        var refresh = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        _refreshTokens[refresh] = UserId;
        var response = new Dictionary<string, object?>
        {
            ["access_token"] = access,
            ["token_type"] = "Bearer",
            ["expires_in"] = (long)AccessTokenLifetime.TotalSeconds,
            ["refresh_token"] = refresh,
            ["scope"] = "openid profile email offline_access orders.read orders.write",
        };
        if (nonce is not null)
        {
            response["id_token"] = Sign(new Dictionary<string, object?>
            {
                ["iss"] = Issuer,
                ["sub"] = UserId,
                ["aud"] = BffClientId,
                ["nonce"] = nonce,
                ["sid"] = SessionId,
                ["email"] = "alice@example.com",
                ["name"] = "Alice",
                ["iat"] = now,
                ["exp"] = now + 300,
            });
        }

        return response;
    }

    private static bool IsClient(HttpContext context, string clientId, string secret)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            return false;
        }

        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..]));
        return decoded == $"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}";
    }

    private sealed record PendingCode(string Challenge, string RedirectUri, string Nonce);
}
