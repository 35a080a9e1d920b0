using System.Net;

namespace Reference.SampleServices.Tests.Delegation;

/// <summary>
/// The circuit breaker on Orders.Api's token exchange (defaults: 5 calls, 50 % failures, 30 s open), on the fake
/// clock: the IdP down opens it, while open the IdP is not called and the answer is 503 with the remaining break as
/// Retry-After, and a successful probe after the break closes it without a restart.
/// </summary>
public sealed class DelegationBreakerTests(DelegationFixture fixture) : IClassFixture<DelegationFixture>
{
    private static readonly Dictionary<string, object?> GatewayActor = new() { ["sub"] = "gateway", ["client_id"] = "gateway" };

    [Fact]
    public async Task IdpDown_BreakerOpensFailsFastThenRecoversWithoutRestart()
    {
        using var client = fixture.Orders.CreateClient();
        fixture.IdentityProvider.Mode = "down";
        for (var i = 0; i < 5; i++)
        {
            using var failing = await StockAsync(client, i);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failing.StatusCode);
            Assert.Equal("temporarily_unavailable", (await failing.JsonAsync()).GetProperty("error").GetString());
        }

        Assert.Equal(5, fixture.IdentityProvider.RequestCount);

        fixture.IdentityProvider.Mode = "issue";
        using (var open = await StockAsync(client, 5))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, open.StatusCode);
            Assert.Equal("temporarily_unavailable", (await open.JsonAsync()).GetProperty("error").GetString());
            Assert.Equal(TimeSpan.FromSeconds(30), open.Headers.RetryAfter?.Delta);
        }

        Assert.Equal(5, fixture.IdentityProvider.RequestCount);

        fixture.Time.Advance(TimeSpan.FromSeconds(31));
        using var recovered = await StockAsync(client, 6);

        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
        Assert.Equal(100, (await recovered.JsonAsync()).GetProperty("quantityAvailable").GetInt32());
        Assert.Equal(6, fixture.IdentityProvider.RequestCount);
        using var again = await StockAsync(client, 7);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    // Each call uses a fresh subject token, so the exchange cache never answers for the IdP.
    private async Task<HttpResponseMessage> StockAsync(HttpClient client, int n)
    {
        var token = fixture.Idp.CreateToken(fixture.Idp.Claims(fixture.Time.GetUtcNow(), "orders-api", "orders.read", "tenant-a", $"user-{n}", GatewayActor));
        using var request = SampleServicesFixture.Request(HttpMethod.Get, "/orders/ord-a-1001/stock", token);
        return await client.SendAsync(request);
    }
}

/// <summary>Refusals (400 from the IdP) are answers, not unavailability: they never open the breaker.</summary>
public sealed class DelegationBreakerRefusalTests(DelegationFixture fixture) : IClassFixture<DelegationFixture>
{
    private static readonly Dictionary<string, object?> GatewayActor = new() { ["sub"] = "gateway", ["client_id"] = "gateway" };

    [Fact]
    public async Task IdpRefusals_DoNotOpenTheBreaker()
    {
        using var client = fixture.Orders.CreateClient();
        fixture.IdentityProvider.Mode = "refuse";
        try
        {
            for (var i = 0; i < 8; i++)
            {
                using var refused = await StockAsync(client, 100 + i);
                Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
                Assert.Equal("delegation_refused", (await refused.JsonAsync()).GetProperty("error").GetString());
            }
        }
        finally
        {
            fixture.IdentityProvider.Mode = "issue";
        }

        var before = fixture.IdentityProvider.RequestCount;
        using var issued = await StockAsync(client, 200);
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        Assert.Equal(before + 1, fixture.IdentityProvider.RequestCount);
    }

    // Each call uses a fresh subject token, so the exchange cache never answers for the IdP.
    private async Task<HttpResponseMessage> StockAsync(HttpClient client, int n)
    {
        var token = fixture.Idp.CreateToken(fixture.Idp.Claims(fixture.Time.GetUtcNow(), "orders-api", "orders.read", "tenant-a", $"user-{n}", GatewayActor));
        using var request = SampleServicesFixture.Request(HttpMethod.Get, "/orders/ord-a-1001/stock", token);
        return await client.SendAsync(request);
    }
}
