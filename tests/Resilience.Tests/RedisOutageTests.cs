using System.Net;
using Reference.AppHost.Hosting;
using Reference.AppHost.Testing;
using Reference.Resilience.Tests.Support;

namespace Reference.Resilience.Tests;

/// <summary>The system with its Redis (the <c>cache</c> resource) stopped and started again through the AppHost's resource control.</summary>
public sealed class RedisOutageFixture : IAsyncLifetime
{
    private ReferenceTestApp? _app;

    public ReferenceTestApp App => _app ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() => _app = await ResilienceSystem.StartAsync(_ => { });

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

/// <summary>
/// Redis killed and restarted under the gateway: BFF sessions fail closed during the outage (503
/// <c>temporarily_unavailable</c>: no 500, no access), bearer routes keep working, and afterwards the same sessions
/// work again (Redis persisted them in its append-only file, which the restarted server reloads).
/// </summary>
public sealed class RedisOutageTests(RedisOutageFixture fixture) : IClassFixture<RedisOutageFixture>
{
    private const string SessionCookie = "bff.session";

    private Uri Gateway => fixture.App.GetEndpoint("gateway");

    [Fact]
    public async Task RedisKilledAndRestarted_SessionsFailClosedDuringOutage_SameSessionsWorkAfterwards()
    {
        using var alice = new Browser();
        using var bob = new Browser();
        await LogInAsync(alice, "alice");
        await LogInAsync(bob, "bob");
        var bearer = await ResilienceSystem.GetTokenAsync(fixture.App, "demo-client", "orders.read");
        using var gateway = fixture.App.CreateHttpClient("gateway");
        foreach (var browser in new[] { alice, bob })
        {
            using var before = await browser.GetAsync(new Uri(Gateway, "/bff-api/orders/whoami"));
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        Assert.True(await fixture.App.Application.ResourceControl.StopResourceAsync("cache"));
        Assert.Equal(KnownResourceState.Exited, fixture.App.GetResource("cache").State);

        for (var i = 0; i < 3; i++)
        {
            foreach (var browser in new[] { alice, bob })
            {
                using var api = await browser.GetAsync(new Uri(Gateway, "/bff-api/orders/whoami"));
                await ResilienceSystem.AssertGatewayErrorAsync(api, HttpStatusCode.ServiceUnavailable, "temporarily_unavailable");
                using var user = await browser.GetAsync(new Uri(Gateway, "/bff/user"));
                Assert.Equal(HttpStatusCode.ServiceUnavailable, user.StatusCode);
                Assert.DoesNotContain("\"sub\"", await user.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            // No session at all during the outage: still a plain 401 (nothing to look up).
            using var anonymous = new Browser();
            using var noSession = await anonymous.GetAsync(new Uri(Gateway, "/bff-api/orders/whoami"));
            Assert.Equal(HttpStatusCode.Unauthorized, noSession.StatusCode);

            // Bearer routes do not depend on Redis.
            using var bearerResponse = await ResilienceSystem.GetWithTokenAsync(gateway, "/api/orders/whoami", bearer);
            Assert.Equal(HttpStatusCode.OK, bearerResponse.StatusCode);
        }

        Assert.True(fixture.App.Application.ResourceControl.StartResource("cache"));
        await fixture.App.WaitForResourceHealthyAsync("cache");

        foreach (var browser in new[] { alice, bob })
        {
            await ResilienceSystem.WaitUntilAsync(
                async () =>
                {
                    using var response = await browser.GetAsync(new Uri(Gateway, "/bff-api/orders/whoami"));
                    Assert.True(
                        response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable,
                        $"a persisted session got {(int)response.StatusCode} after the restart: {await response.Content.ReadAsStringAsync()}");
                    return response.StatusCode == HttpStatusCode.OK;
                },
                TimeSpan.FromSeconds(60),
                "the session works again");
        }

        // A new sign-in needs every replica reconnected to Redis; each reconnects on its own backoff. The IdP's
        // readiness includes Redis; the gateway's does not (on purpose), so its login start is probed per replica.
        for (var replica = 0; replica < fixture.App.GetReplicaEndpoints("identity").Count; replica++)
        {
            using var identity = fixture.App.CreateReplicaHttpClient("identity", replica);
            await ResilienceSystem.WaitUntilAsync(
                async () =>
                {
                    using var health = await identity.GetAsync("/health");
                    return health.StatusCode == HttpStatusCode.OK;
                },
                TimeSpan.FromSeconds(60),
                $"identity replica {replica} is ready");
        }

        for (var replica = 0; replica < fixture.App.GetReplicaEndpoints("gateway").Count; replica++)
        {
            using var direct = fixture.App.CreateReplicaHttpClient("gateway", replica, new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false });
            await ResilienceSystem.WaitUntilAsync(
                async () =>
                {
                    using var response = await direct.GetAsync("/bff/login?returnUrl=/bff/user");
                    Assert.True(response.StatusCode is HttpStatusCode.Found or HttpStatusCode.ServiceUnavailable, $"/bff/login answered {(int)response.StatusCode}");
                    return response.StatusCode == HttpStatusCode.Found;
                },
                TimeSpan.FromSeconds(60),
                $"gateway replica {replica} starts a sign-in");
        }

        using var carol = new Browser();
        await LogInAsync(carol, "carol");
        using var newSession = await carol.GetAsync(new Uri(Gateway, "/bff-api/orders/whoami"));
        Assert.Equal(HttpStatusCode.OK, newSession.StatusCode);
    }

    /// <summary>/bff/login → the IdP's authorize → login page → POST → authorize → /bff/callback → /bff/user.</summary>
    private async Task LogInAsync(Browser browser, string user)
    {
        var start = new Uri(Gateway, "/bff/login?returnUrl=/bff/user");
        using var toIdp = await browser.GetAsync(start);
        Assert.Equal(HttpStatusCode.Found, toIdp.StatusCode);
        var (loginPage, loginUrl) = await browser.FollowAsync(toIdp, start);
        var (userResponse, userUrl) = await browser.LogInAsync(loginPage, loginUrl, user, fixture.App.GetParameterValue("demo-user-password"));
        Assert.Equal(HttpStatusCode.OK, userResponse.StatusCode);
        Assert.Equal(new Uri(Gateway, "/bff/user"), userUrl);
        Assert.NotNull(browser.Jar.Get(Gateway, SessionCookie));
    }
}
