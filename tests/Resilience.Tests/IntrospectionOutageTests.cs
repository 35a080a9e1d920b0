using System.Net;
using Reference.Resilience.Tests.Faults;
using Reference.Resilience.Tests.Support;

namespace Reference.Resilience.Tests;

/// <summary>
/// The IdP's introspection endpoint goes down (connections reset at the proxy): the gateway's breaker opens (no more
/// connection attempts), a reference token introspected before the outage is served from cache only within
/// <c>MaxCachedAge</c>, every other token gets 503, and it all works again once the endpoint is back.
/// </summary>
[Collection(IdpFaultsGroup.Name)]
public sealed class IntrospectionOutageTests(IdpFaultsFixture fixture) : IAsyncLifetime
{
    private const string Route = "/opaque/orders/whoami";
    private const string BreakerOpened = "Introspection circuit breaker opened";

    public Task InitializeAsync() => fixture.RestoreAsync();

    public Task DisposeAsync() => fixture.RestoreAsync();

    [Theory]
    [InlineData(FaultMode.Reset)]
    [InlineData(FaultMode.Blackhole)]
    public async Task IntrospectionDown_BreakerOpens_CachedPositiveOnlyWithinBudget_Then503_ThenRecovers(FaultMode fault)
    {
        // One gateway replica, directly: the breaker and the introspection cache are per instance.
        using var gateway = fixture.App.CreateReplicaHttpClient("gateway", 0);
        var known = await ResilienceSystem.GetTokenAsync(fixture.App, "demo-reference", "orders.read");
        var unseen = await ResilienceSystem.GetTokenAsync(fixture.App, "demo-reference", "orders.read");
        // The gateway caches the result between these two instants.
        var cachedAfter = DateTimeOffset.UtcNow;
        using (var first = await ResilienceSystem.GetWithTokenAsync(gateway, Route, known))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var cachedBefore = DateTimeOffset.UtcNow;

        var opensBefore = BreakerOpenedCount();
        fixture.Introspection.SetMode(fault);

        // Tokens never introspected: 503 (never 401, never forwarded) until the breaker opens.
        await ResilienceSystem.WaitUntilAsync(
            async () =>
            {
                using var response = await ResilienceSystem.GetWithTokenAsync(gateway, Route, unseen);
                await ResilienceSystem.AssertGatewayErrorAsync(response, HttpStatusCode.ServiceUnavailable, "temporarily_unavailable");
                return BreakerOpenedCount() > opensBefore;
            },
            TimeSpan.FromSeconds(60),
            "the introspection breaker opens");

        var connections = fixture.Introspection.AcceptedConnections;
        for (var i = 0; i < 5; i++)
        {
            using var shortCircuited = await ResilienceSystem.GetWithTokenAsync(gateway, Route, unseen);
            await ResilienceSystem.AssertGatewayErrorAsync(shortCircuited, HttpStatusCode.ServiceUnavailable, "temporarily_unavailable");
        }

        Assert.Equal(connections, fixture.Introspection.AcceptedConnections);

        // The known token's cache entry is past CacheDuration (not fresh) but within MaxCachedAge: served.
        await ResilienceSystem.WaitUntilTimeAsync(cachedBefore + IdpFaultsFixture.IntrospectionCacheDuration + TimeSpan.FromSeconds(1));
        if (DateTimeOffset.UtcNow < cachedAfter + IdpFaultsFixture.IntrospectionMaxCachedAge - TimeSpan.FromSeconds(2))
        {
            using var withinBudget = await ResilienceSystem.GetWithTokenAsync(gateway, Route, known);
            Assert.Equal(HttpStatusCode.OK, withinBudget.StatusCode);
        }

        // Past the budget: fail closed.
        await ResilienceSystem.WaitUntilTimeAsync(DateTimeOffset.UtcNow.Max(cachedBefore + IdpFaultsFixture.IntrospectionMaxCachedAge + TimeSpan.FromSeconds(1)));
        using (var pastBudget = await ResilienceSystem.GetWithTokenAsync(gateway, Route, known))
        {
            await ResilienceSystem.AssertGatewayErrorAsync(pastBudget, HttpStatusCode.ServiceUnavailable, "temporarily_unavailable");
        }

        fixture.Introspection.SetMode(FaultMode.Forward);
        await ResilienceSystem.WaitUntilAsync(
            async () =>
            {
                using var response = await ResilienceSystem.GetWithTokenAsync(gateway, Route, known);
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"unexpected {(int)response.StatusCode} while recovering");
                return response.StatusCode == HttpStatusCode.OK;
            },
            IdpFaultsFixture.IntrospectionBreakDuration + TimeSpan.FromSeconds(60),
            "introspection works again");
        using var unseenAfter = await ResilienceSystem.GetWithTokenAsync(gateway, Route, unseen);
        Assert.Equal(HttpStatusCode.OK, unseenAfter.StatusCode);
    }

    private int BreakerOpenedCount() => fixture.App.GetLogTail("gateway", 2000).Count(l => l.Contains(BreakerOpened, StringComparison.Ordinal));
}

internal static class DateTimeOffsetExtensions
{
    public static DateTimeOffset Max(this DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
