using System.Net;
using System.Text.Json;
using Reference.TestUtilities;

namespace Reference.ServiceDefaults.Tests.InternalTokens;

/// <summary>The gateway's internal tokens and the IdP's exchanged access tokens side by side, each with its own keys.</summary>
public sealed class TrustedIssuerValidationTests : IAsyncLifetime, IDisposable
{
    private const string IdpIssuer = "http://idp.test";
    private readonly FakeTimeProvider _time = new();
    private readonly InternalTokenTestSigner _gateway = new("gateway-key-1");
    private readonly AccessTokenTestSigner _idp = new(IdpIssuer, "idp-rsa-1");
    private readonly InternalTokenTestSigner _idpEc = new("idp-ec-1");
    private JwksStubServer _gatewayJwks = null!;
    private JwksStubServer _idpJwks = null!;
    private ServiceHost _host = null!;

    public async Task InitializeAsync()
    {
        _gatewayJwks = await JwksStubServer.StartAsync(InternalTokenTestSigner.Jwks(_gateway));
        _idpJwks = await JwksStubServer.StartAsync(JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["keys"] = new object[] { _idp.PublicJwk(), _idpEc.PublicJwk() },
        }));
        var configuration = ServiceHost.TokenConfiguration(_gatewayJwks);
        configuration["InternalTokens:TrustedIssuers:identity:Issuer"] = IdpIssuer;
        configuration["InternalTokens:TrustedIssuers:identity:JwksUri"] = _idpJwks.JwksUri.ToString();
        configuration["InternalTokens:TrustedIssuers:identity:Algorithms:0"] = "RS256";
        configuration["InternalTokens:TrustedIssuers:identity:Algorithms:1"] = "ES256";
        _host = await ServiceHost.StartAsync(configuration, _time);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _gatewayJwks.DisposeAsync();
        await _idpJwks.DisposeAsync();
    }

    public void Dispose()
    {
        _gateway.Dispose();
        _idp.Dispose();
        _idpEc.Dispose();
    }

    [Fact]
    public async Task IdpToken_OwnAudience_ReturnsVerifiedClaimsWithActorChain()
    {
        var actor = new Dictionary<string, object?> { ["sub"] = "gateway", ["client_id"] = "gateway" };
        var token = _idp.CreateToken(_idp.Claims(_time.GetUtcNow(), ServiceHost.Audience, "orders.read", actor: actor));

        var response = await _host.Client.GetWithTokenAsync("/whoami", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        Assert.Equal("alice", root.GetProperty("subject").GetString());
        Assert.Equal(IdpIssuer, root.GetProperty("issuer").GetString());
        Assert.Equal("at+jwt", root.GetProperty("tokenType").GetString());
        Assert.Equal(["orders.admin"], root.GetProperty("roles").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("alice@example.test", root.GetProperty("email").GetString());
        Assert.Equal("gateway", root.GetProperty("actor").GetProperty("subject").GetString());
        Assert.Equal("gateway", root.GetProperty("actor").GetProperty("clientId").GetString());
    }

    [Fact]
    public async Task IdpToken_NestedActor_KeepsChain()
    {
        var actor = new Dictionary<string, object?>
        {
            ["sub"] = "orders-service",
            ["client_id"] = "orders-service",
            ["act"] = new Dictionary<string, object?> { ["sub"] = "gateway", ["client_id"] = "gateway" },
        };
        var token = _idp.CreateToken(_idp.Claims(_time.GetUtcNow(), ServiceHost.Audience, "orders.read", actor: actor));

        var response = await _host.Client.GetWithTokenAsync("/whoami", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var current = body.RootElement.GetProperty("actor");
        Assert.Equal("orders-service", current.GetProperty("subject").GetString());
        Assert.Equal("gateway", current.GetProperty("actor").GetProperty("subject").GetString());
    }

    [Fact]
    public async Task GatewayToken_StillAccepted_Returns200()
    {
        var token = _gateway.CreateToken(InternalTokenTestSigner.DefaultClaims(_time.GetUtcNow(), ServiceHost.Audience, "orders.read"));

        var response = await _host.Client.GetWithTokenAsync("/orders", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("idp token for another audience", "audience")]
    [InlineData("gateway token signed with an idp key", "signing key")]
    [InlineData("idp token signed with the gateway key", "signing key")]
    [InlineData("idp token with typ internal+jwt", "type")]
    [InlineData("idp token with typ JWT", "type")]
    [InlineData("gateway token with typ at+jwt", "type")]
    [InlineData("gateway token with RS256", "algorithm")]
    [InlineData("idp token from an unknown issuer", "issuer")]
    [InlineData("idp token expired", "expired")]
    [InlineData("idp token without act (raw, not exchanged)", "act")]
    [InlineData("idp token with act not an object", "act")]
    public async Task Token_WrongForItsIssuer_Returns401InvalidToken(string variant, string descriptionContains)
    {
        var response = await _host.Client.GetWithTokenAsync("/whoami", BuildToken(variant));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_token", body.RootElement.GetProperty("error").GetString());
        Assert.Contains(descriptionContains, body.RootElement.GetProperty("error_description").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task IdpToken_Repeated_AcceptedUntilExpPlusSkewThenRejected()
    {
        var claims = _idp.Claims(_time.GetUtcNow(), ServiceHost.Audience, "orders.read");
        claims["exp"] = _time.GetUtcNow().AddSeconds(60).ToUnixTimeSeconds();
        var token = _idp.CreateToken(claims);

        Assert.Equal(HttpStatusCode.OK, (await _host.Client.GetWithTokenAsync("/orders", token)).StatusCode);
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(HttpStatusCode.OK, (await _host.Client.GetWithTokenAsync("/orders", token)).StatusCode);
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(HttpStatusCode.Unauthorized, (await _host.Client.GetWithTokenAsync("/orders", token)).StatusCode);
    }

    [Fact]
    public async Task IdpToken_RawWithRequireActorFalse_Returns200()
    {
        var configuration = ServiceHost.TokenConfiguration(_gatewayJwks);
        configuration["InternalTokens:TrustedIssuers:identity:Issuer"] = IdpIssuer;
        configuration["InternalTokens:TrustedIssuers:identity:JwksUri"] = _idpJwks.JwksUri.ToString();
        configuration["InternalTokens:TrustedIssuers:identity:RequireActor"] = "false";
        await using var host = await ServiceHost.StartAsync(configuration, _time);
        var claims = _idp.Claims(_time.GetUtcNow(), ServiceHost.Audience, "orders.read");
        claims["act"] = null;

        var response = await host.Client.GetWithTokenAsync("/orders", _idp.CreateToken(claims));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task IdpToken_IssuerAndKeysFromMetadataAddress_Returns200()
    {
        _idpJwks.Documents["/.well-known/openid-configuration"] = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["issuer"] = "http://idp-by-metadata.test",
            ["jwks_uri"] = _idpJwks.JwksUri.ToString(),
        });
        var configuration = ServiceHost.TokenConfiguration(_gatewayJwks);
        configuration["InternalTokens:TrustedIssuers:identity:MetadataAddress"] = new Uri(_idpJwks.BaseAddress, "/.well-known/openid-configuration").ToString();
        await using var host = await ServiceHost.StartAsync(configuration, _time);
        var claims = _idp.Claims(_time.GetUtcNow(), ServiceHost.Audience, "orders.read");
        claims["iss"] = "http://idp-by-metadata.test";

        var accepted = await host.Client.GetWithTokenAsync("/orders", _idp.CreateToken(claims));
        claims["iss"] = IdpIssuer;
        var otherIssuer = await host.Client.GetWithTokenAsync("/orders", _idp.CreateToken(claims));

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, otherIssuer.StatusCode);
    }

    private string BuildToken(string variant)
    {
        var now = _time.GetUtcNow();
        var idpClaims = _idp.Claims(now, ServiceHost.Audience, "orders.read");
        var gatewayClaims = InternalTokenTestSigner.DefaultClaims(now, ServiceHost.Audience, "orders.read");
        switch (variant)
        {
            case "idp token for another audience":
                idpClaims["aud"] = "inventory-api";
                return _idp.CreateToken(idpClaims);
            case "gateway token signed with an idp key":
            {
                var header = _gateway.DefaultHeader();
                header["kid"] = _idpEc.KeyId;
                return _idpEc.CreateToken(gatewayClaims, header);
            }

            case "idp token signed with the gateway key":
            {
                var header = _gateway.DefaultHeader();
                header["typ"] = "at+jwt";
                return _gateway.CreateToken(idpClaims, header);
            }

            case "idp token with typ internal+jwt":
            {
                var header = _idp.DefaultHeader();
                header["typ"] = "internal+jwt";
                return _idp.CreateToken(idpClaims, header);
            }

            case "idp token with typ JWT":
            {
                var header = _idp.DefaultHeader();
                header["typ"] = "JWT";
                return _idp.CreateToken(idpClaims, header);
            }

            case "gateway token with typ at+jwt":
            {
                var header = _gateway.DefaultHeader();
                header["typ"] = "at+jwt";
                return _gateway.CreateToken(gatewayClaims, header);
            }

            case "gateway token with RS256":
            {
                var header = _idp.DefaultHeader();
                header["typ"] = "internal+jwt";
                return _idp.CreateToken(gatewayClaims, header);
            }

            case "idp token from an unknown issuer":
                idpClaims["iss"] = "http://evil.test";
                return _idp.CreateToken(idpClaims);
            case "idp token without act (raw, not exchanged)":
                idpClaims["act"] = null;
                return _idp.CreateToken(idpClaims);
            case "idp token with act not an object":
                idpClaims["act"] = "orders-service";
                return _idp.CreateToken(idpClaims);
            case "idp token expired":
                idpClaims["exp"] = now.AddSeconds(-31).ToUnixTimeSeconds();
                return _idp.CreateToken(idpClaims);
            default:
                throw new ArgumentOutOfRangeException(nameof(variant), variant, null);
        }
    }
}
