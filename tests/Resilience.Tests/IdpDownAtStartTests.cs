using System.Net;
using Reference.AppHost.Hosting;
using Reference.Resilience.Tests.Faults;
using Reference.Resilience.Tests.Support;

namespace Reference.Resilience.Tests;

/// <summary>
/// The gateway starts while its issuer's JWKS is unreachable (503), then answers garbage, then comes back: the gateway
/// stays out of the load balancer (readiness 503) and answers tokens 503 temporarily_unavailable (never 401, never 500,
/// never forwarded) until real keys load.
/// </summary>
public sealed class IdpDownAtStartTests
{
    [Fact]
    public async Task GatewayStart_JwksUnavailableThenGarbage_NotReadyAnd503UntilKeysLoad()
    {
        DistributedApplication? application = null;
        await using var jwks = await JwksFaultServer.StartAsync(JwksFaultConfiguration.UpstreamJwks(() => application!), JwksFault.Unavailable);
        await using var app = await ResilienceSystem.StartAsync(
            a =>
            {
                application = a;
                JwksFaultConfiguration.Apply(a, jwks);
            },
            allowedUnhealthy: "gateway");
        // One replica, directly: the load balancer sends nothing to replicas that are not ready.
        using var gateway = app.CreateReplicaHttpClient("gateway", 0);
        var token = await ResilienceSystem.GetTokenAsync(app, "demo-client", "orders.read");

        await ResilienceSystem.WaitUntilAsync(() => Task.FromResult(jwks.Requests >= 1), TimeSpan.FromSeconds(60), "the gateway tried to load the JWKS");
        await ResilienceSystem.WaitUntilAsync(
            async () =>
            {
                try
                {
                    using var response = await gateway.GetAsync("/alive");
                    return response.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(60),
            "the gateway listens (alive)");
        await AssertNotReadyAsync(gateway, token);

        var fetchesBefore = jwks.Requests;
        jwks.Mode = JwksFault.Garbage;
        await ResilienceSystem.WaitUntilAsync(() => Task.FromResult(jwks.Requests > fetchesBefore), TimeSpan.FromSeconds(60), "the gateway fetched the garbage JWKS");
        await AssertNotReadyAsync(gateway, token);
        Assert.NotEqual(ResourceHealthStatus.Healthy, app.GetResource("gateway").Health);

        jwks.Mode = JwksFault.Forward;
        await ResilienceSystem.WaitUntilAsync(
            async () => (await ResilienceSystem.GetHealthAsync(gateway)).Status == HttpStatusCode.OK, TimeSpan.FromSeconds(90), "the gateway is ready");
        using var served = await ResilienceSystem.GetWithTokenAsync(gateway, "/api/orders/whoami", token);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    private static async Task AssertNotReadyAsync(HttpClient gateway, string token)
    {
        var (status, checks) = await ResilienceSystem.GetHealthAsync(gateway);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", checks["jwks"]);

        for (var i = 0; i < 3; i++)
        {
            using var response = await ResilienceSystem.GetWithTokenAsync(gateway, "/api/orders/whoami", token);
            await ResilienceSystem.AssertGatewayErrorAsync(response, HttpStatusCode.ServiceUnavailable, "temporarily_unavailable");
        }
    }
}
