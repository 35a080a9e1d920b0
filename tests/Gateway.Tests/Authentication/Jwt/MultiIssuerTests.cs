using System.Net;
using System.Net.Http.Headers;
using Reference.Gateway.Tests.Infrastructure;

namespace Reference.Gateway.Tests.Authentication.Jwt;

/// <summary>
/// Two issuers, each with its own JWKS cache: A through discovery (RS256 and ES256), B through a direct JWKS URI
/// with RS256 pinned. Both fake IdPs publish a key under the same kid "rsa-1" (different keys).
/// </summary>
public sealed class MultiIssuerFixture : IAsyncLifetime
{
    public GatewayEnvironment Env { get; } = new(
        [],
        useKestrel: true,
        secondIssuer: true,
        configureSettings: (env, settings) =>
        {
            settings["Gateway:Authentication:Jwt:Issuers:a:Issuer"] = env.Idp.Issuer;
            settings["Gateway:Authentication:Jwt:Issuers:a:MetadataAddress"] = "http://identity/.well-known/openid-configuration";
            settings["Gateway:Authentication:Jwt:Issuers:a:Audiences:0"] = "reference-api";
            settings["Gateway:Authentication:Jwt:Issuers:b:Issuer"] = env.IdpB!.Issuer;
            settings["Gateway:Authentication:Jwt:Issuers:b:JwksUri"] = env.IdpB.JwksUrl;
            settings["Gateway:Authentication:Jwt:Issuers:b:Audiences:0"] = "reference-api";
            settings["Gateway:Authentication:Jwt:Issuers:b:Algorithms:0"] = "RS256";
            settings["Gateway:Authentication:Jwt:Issuers:b:ClockSkew"] = "00:00:05";
        });

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Env.Idp.Publish("a-only", Env.Idp.Rsa);
        await Env.InitializeAsync();
        Client = new HttpClient { BaseAddress = Env.KestrelAddress };
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Env.DisposeAsync();
    }
}

public sealed class MultiIssuerTests(MultiIssuerFixture fixture) : IClassFixture<MultiIssuerFixture>
{
    private GatewayEnvironment Env => fixture.Env;

    private FakeIdentityProvider IdpB => Env.IdpB!;

    [Fact]
    public async Task Startup_EveryIssuerLoaded_EachFromItsOwnSource()
    {
        using var health = await fixture.Client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.True(Env.Idp.JwksRequests >= 1);
        Assert.True(IdpB.JwksRequests >= 1);
        Assert.Equal(0, IdpB.DiscoveryRequests);
    }

    [Fact]
    public async Task TokensFromEitherIssuer_Accepted()
    {
        Env.ClearRecordings();

        using var fromA = await SendAsync(Env.Idp.CreateToken());
        using var fromB = await SendAsync(IdpB.CreateToken());

        Assert.Equal(HttpStatusCode.OK, fromA.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fromB.StatusCode);
        Assert.Equal(2, Env.Orders.Requests.Count);
    }

    [Fact]
    public async Task TokenClaimingIssuerB_SignedWithIssuerAsKeyUnderSharedKid_Returns401()
    {
        Env.ClearRecordings();
        var token = Env.Idp.CreateToken(editPayload: p => p["iss"] = IdpB.Issuer);

        using var response = await SendAsync(token);

        await GatewayAssert.RejectedAsync(response, HttpStatusCode.Unauthorized, "invalid_token", Env.Orders, Env.Inventory);
    }

    [Fact]
    public async Task TokenClaimingIssuerB_WithKidOnlyIssuerAPublishes_Returns401()
    {
        Env.ClearRecordings();
        var token = Env.Idp.CreateToken(editHeader: h => h["kid"] = "a-only", editPayload: p => p["iss"] = IdpB.Issuer);

        using var response = await SendAsync(token);

        await GatewayAssert.RejectedAsync(response, HttpStatusCode.Unauthorized, "invalid_token", Env.Orders);
    }

    [Fact]
    public async Task IssuerB_AlgorithmPinnedToRs256_Es256TokenReturns401()
    {
        Env.ClearRecordings();

        using var response = await SendAsync(IdpB.CreateToken(alg: "ES256"));

        await GatewayAssert.RejectedAsync(response, HttpStatusCode.Unauthorized, "invalid_token", Env.Orders);
    }

    [Theory]
    [InlineData("https://unknown.example.test")]
    [InlineData("")]
    public async Task UnconfiguredIssuer_Returns401(string issuer)
    {
        Env.ClearRecordings();
        var token = Env.Idp.CreateToken(editPayload: p => p["iss"] = issuer);

        using var response = await SendAsync(token);

        await GatewayAssert.RejectedAsync(response, HttpStatusCode.Unauthorized, "invalid_token", Env.Orders);
    }

    [Fact]
    public async Task IssuerWithTrailingSlash_NotTheConfiguredIssuer_Returns401()
    {
        Env.ClearRecordings();
        var token = IdpB.CreateToken(editPayload: p => p["iss"] = IdpB.Issuer + "/");

        using var response = await SendAsync(token);

        await GatewayAssert.RejectedAsync(response, HttpStatusCode.Unauthorized, "invalid_token", Env.Orders);
    }

    [Fact]
    public async Task IssuerB_OwnClockSkew_NotBeforeBeyondFiveSecondsReturns401()
    {
        Env.ClearRecordings();
        var token = IdpB.CreateToken(editPayload: p => p["nbf"] = DateTimeOffset.UtcNow.AddSeconds(20).ToUnixTimeSeconds());

        using var response = await SendAsync(token);

        await GatewayAssert.RejectedAsync(response, HttpStatusCode.Unauthorized, "invalid_token", Env.Orders);
    }

    private async Task<HttpResponseMessage> SendAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/1");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await fixture.Client.SendAsync(request);
    }
}
