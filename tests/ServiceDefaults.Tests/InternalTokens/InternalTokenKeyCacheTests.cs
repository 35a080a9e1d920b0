using System.Net;
using Reference.TestUtilities;

namespace Reference.ServiceDefaults.Tests.InternalTokens;

public sealed class InternalTokenKeyCacheTests
{
    private readonly FakeTimeProvider _time = new();

    private Dictionary<string, object?> Claims() =>
        InternalTokenTestSigner.DefaultClaims(_time.GetUtcNow(), ServiceHost.Audience, "orders.read");

    [Fact]
    public async Task UnknownKid_RefreshesAtMostOncePer30Seconds_ThenAcceptsRotatedKey()
    {
        using var current = new InternalTokenTestSigner("key-1");
        using var next = new InternalTokenTestSigner("key-2");
        await using var jwks = await JwksStubServer.StartAsync(InternalTokenTestSigner.Jwks(current));
        await using var host = await ServiceHost.StartAsync(ServiceHost.TokenConfiguration(jwks), _time);

        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetWithTokenAsync("/orders", current.CreateToken(Claims()))).StatusCode);
        Assert.Equal(1, jwks.RequestCount);

        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.GetWithTokenAsync("/orders", next.CreateToken(Claims()))).StatusCode);
        Assert.Equal(2, jwks.RequestCount);

        jwks.Jwks = InternalTokenTestSigner.Jwks(current, next);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.GetWithTokenAsync("/orders", next.CreateToken(Claims()))).StatusCode);
        Assert.Equal(2, jwks.RequestCount);

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetWithTokenAsync("/orders", next.CreateToken(Claims()))).StatusCode);
        Assert.Equal(3, jwks.RequestCount);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetWithTokenAsync("/orders", current.CreateToken(Claims()))).StatusCode);
        Assert.Equal(3, jwks.RequestCount);
    }

    [Fact]
    public async Task ColdCache_ConcurrentRequests_CoalesceIntoOneFetch()
    {
        using var signer = new InternalTokenTestSigner();
        await using var jwks = await JwksStubServer.StartAsync(InternalTokenTestSigner.Jwks(signer));
        await using var host = await ServiceHost.StartAsync(ServiceHost.TokenConfiguration(jwks), _time);

        var responses = await Task.WhenAll(Enumerable.Range(0, 16)
            .Select(_ => host.Client.GetWithTokenAsync("/orders", signer.CreateToken(Claims()))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, jwks.RequestCount);
    }

    [Fact]
    public async Task KnownKeys_RefreshInterval_RefetchesAndKeepsKeysWhenFetchFails()
    {
        using var signer = new InternalTokenTestSigner();
        await using var jwks = await JwksStubServer.StartAsync(InternalTokenTestSigner.Jwks(signer));
        await using var host = await ServiceHost.StartAsync(ServiceHost.TokenConfiguration(jwks), _time);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetWithTokenAsync("/orders", signer.CreateToken(Claims()))).StatusCode);

        _time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetWithTokenAsync("/orders", signer.CreateToken(Claims()))).StatusCode);
        Assert.Equal(1, jwks.RequestCount);

        jwks.StatusCode = 503;
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetWithTokenAsync("/orders", signer.CreateToken(Claims()))).StatusCode);
        Assert.Equal(2, jwks.RequestCount);
    }

    [Fact]
    public async Task JwksUnavailable_ColdCache_FailsClosedWith401()
    {
        using var signer = new InternalTokenTestSigner();
        await using var jwks = await JwksStubServer.StartAsync(InternalTokenTestSigner.Jwks(signer));
        jwks.StatusCode = 500;
        await using var host = await ServiceHost.StartAsync(ServiceHost.TokenConfiguration(jwks), _time);

        var response = await host.Client.GetWithTokenAsync("/orders", signer.CreateToken(Claims()));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("signing key", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task JwksUri_LogicalName_ResolvedThroughServiceDiscovery()
    {
        using var signer = new InternalTokenTestSigner();
        await using var jwks = await JwksStubServer.StartAsync(InternalTokenTestSigner.Jwks(signer));
        var configuration = new Dictionary<string, string?>
        {
            ["InternalTokens:Audience"] = ServiceHost.Audience,
            ["services:gateway:http:0"] = jwks.BaseAddress.ToString(),
        };
        await using var host = await ServiceHost.StartAsync(configuration, _time);

        var response = await host.Client.GetWithTokenAsync("/orders", signer.CreateToken(Claims()));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, jwks.RequestCount);
    }

    [Fact]
    public async Task JwksUri_LogicalNameNotConfigured_FailsClosedWith401()
    {
        using var signer = new InternalTokenTestSigner();
        var configuration = new Dictionary<string, string?> { ["InternalTokens:Audience"] = ServiceHost.Audience };
        await using var host = await ServiceHost.StartAsync(configuration, _time);

        var response = await host.Client.GetWithTokenAsync("/orders", signer.CreateToken(Claims()));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
