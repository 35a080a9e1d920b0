using System.Net;
using Reference.Resilience.Tests.Faults;
using Reference.Resilience.Tests.Support;
using Reference.TestUtilities;

namespace Reference.Resilience.Tests;

/// <summary>
/// The IdP's JWKS slowed, broken and down while the gateway runs: tokens with known keys keep flowing, unknown kids
/// cause a bounded number of fetches, stale keys are honoured up to the maximum stale age and then the gateway fails
/// closed (503, never a wrongly accepted token), and it recovers without a restart.
/// </summary>
[Collection(IdpFaultsGroup.Name)]
public sealed class JwksFaultTests(IdpFaultsFixture fixture) : IAsyncLifetime
{
    private const string Route = "/api/orders/whoami";

    public Task InitializeAsync() => fixture.RestoreAsync();

    public Task DisposeAsync() => fixture.RestoreAsync();

    [Fact]
    public async Task IdpDownLater_StaleKeysHonouredUpToMaxStaleAge_ThenFailClosed503_ThenRecovers()
    {
        using var gateway = fixture.App.CreateHttpClient("gateway");
        var token = await ResilienceSystem.GetTokenAsync(fixture.App, "demo-client", "orders.read");
        using (var before = await ResilienceSystem.GetWithTokenAsync(gateway, Route, token))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        fixture.Jwks.Mode = JwksFault.Unavailable;
        await ResilienceSystem.WaitUntilAsync(
            async () => (await ResilienceSystem.GetHealthAsync(gateway)).Checks["jwks_stale"] == "Degraded",
            JwksFaultConfiguration.KeyLifetime + TimeSpan.FromSeconds(30),
            "the gateway's keys are stale");
        using (var stale = await ResilienceSystem.GetWithTokenAsync(gateway, Route, token))
        {
            Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        }

        // A JWKS that answers garbage does not replace the last good keys.
        var fetches = fixture.Jwks.Requests;
        fixture.Jwks.Mode = JwksFault.Garbage;
        await ResilienceSystem.WaitUntilAsync(() => Task.FromResult(fixture.Jwks.Requests > fetches), TimeSpan.FromSeconds(30), "the gateway fetched garbage");
        var (_, checks) = await ResilienceSystem.GetHealthAsync(gateway);
        if (checks["jwks"] == "Healthy")
        {
            using var staleAfterGarbage = await ResilienceSystem.GetWithTokenAsync(gateway, Route, token);
            Assert.Equal(HttpStatusCode.OK, staleAfterGarbage.StatusCode);
        }

        await ResilienceSystem.WaitUntilAsync(
            async () => (await ResilienceSystem.GetHealthAsync(gateway)).Checks["jwks"] == "Unhealthy",
            JwksFaultConfiguration.MaxStaleAge + TimeSpan.FromSeconds(30),
            "the gateway's keys are past the maximum stale age");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await ResilienceSystem.GetHealthAsync(gateway)).Status);
        for (var i = 0; i < 5; i++)
        {
            using var expired = await ResilienceSystem.GetWithTokenAsync(gateway, Route, token);
            await ResilienceSystem.AssertGatewayErrorAsync(expired, HttpStatusCode.ServiceUnavailable, "temporarily_unavailable");
        }

        fixture.Jwks.Mode = JwksFault.Forward;
        await ResilienceSystem.WaitUntilAsync(
            async () =>
            {
                using var response = await ResilienceSystem.GetWithTokenAsync(gateway, Route, token);
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"unexpected {(int)response.StatusCode} while recovering");
                return response.StatusCode == HttpStatusCode.OK;
            },
            TimeSpan.FromSeconds(60),
            "tokens are accepted again");
    }

    [Fact]
    public async Task SlowJwks_RefreshHangs_KnownKidRequestsKeepFlowing()
    {
        using var gateway = fixture.App.CreateHttpClient("gateway");
        using var stranger = new AccessTokenTestSigner(fixture.Issuer, "rotated-" + Guid.NewGuid().ToString("N"));
        var token = await ResilienceSystem.GetTokenAsync(fixture.App, "demo-client", "orders.read");
        fixture.Jwks.Mode = JwksFault.Hang;

        // An unknown kid makes the gateway refresh (throttled: retried until one refresh is in flight and hangs).
        var waitingOnRefresh = new List<Task<HttpResponseMessage>>();
        await ResilienceSystem.WaitUntilAsync(
            () =>
            {
                var waiting = fixture.Jwks.HeldRequests > 0 && waitingOnRefresh.Any(t => !t.IsCompleted);
                if (!waiting)
                {
                    waitingOnRefresh.Add(ResilienceSystem.GetWithTokenAsync(gateway, Route, StrangerToken(stranger)));
                }

                return Task.FromResult(waiting);
            },
            TimeSpan.FromSeconds(60),
            "a JWKS refresh hangs");

        // Joins the refresh in flight on the replica it reaches.
        waitingOnRefresh.Add(ResilienceSystem.GetWithTokenAsync(gateway, Route, StrangerToken(stranger)));


        for (var i = 0; i < 20; i++)
        {
            using var known = await ResilienceSystem.GetWithTokenAsync(gateway, Route, token);
            Assert.Equal(HttpStatusCode.OK, known.StatusCode);
        }

        Assert.True(fixture.Jwks.HeldRequests > 0, "the refresh stopped hanging before the known-kid requests were done");
        Assert.Contains(waitingOnRefresh, t => !t.IsCompleted);

        fixture.Jwks.Mode = JwksFault.Forward;
        foreach (var response in await Task.WhenAll(waitingOnRefresh))
        {
            using (response)
            {
                await ResilienceSystem.AssertGatewayErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_token");
            }
        }
    }

    [Fact]
    public async Task UnknownKidStorm_ManyDistinctKids_JwksFetchesBounded_AllRejected()
    {
        using var gateway = fixture.App.CreateHttpClient("gateway");
        using var stranger = new AccessTokenTestSigner(fixture.Issuer);
        const int Requests = 300;
        fixture.Jwks.ResetCount();
        var started = DateTimeOffset.UtcNow;

        using var concurrency = new SemaphoreSlim(20);
        var statuses = await Task.WhenAll(Enumerable.Range(0, Requests).Select(async _ =>
        {
            await concurrency.WaitAsync();
            try
            {
                using var response = await ResilienceSystem.GetWithTokenAsync(gateway, Route, StrangerToken(stranger, "storm-" + Guid.NewGuid().ToString("N")));
                await ResilienceSystem.AssertGatewayErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_token");
                return response.StatusCode;
            }
            finally
            {
                concurrency.Release();
            }
        }));

        var fetches = fixture.Jwks.Requests;
        var elapsed = DateTimeOffset.UtcNow - started;
        Assert.Equal(Requests, statuses.Length);

        // Per gateway replica: at most one on-demand refresh per UnknownKeyRefreshInterval, plus the scheduled refreshes
        // (every 75 % of the key lifetime), each counted once more for a window that had begun before the storm.
        var replicas = fixture.App.GetEndpoints("gateway").Count;
        var bound = replicas * ((int)(elapsed / JwksFaultConfiguration.UnknownKeyRefreshInterval) + (int)(elapsed / (JwksFaultConfiguration.KeyLifetime * 0.75)) + 2);
        Assert.InRange(fetches, 0, bound);
        Assert.True(fetches < Requests / 10, $"{fetches} JWKS fetches for {Requests} unknown kids");
    }

    /// <summary>A well-formed token of the real issuer and audience, signed by a key the IdP never published.</summary>
    private static string StrangerToken(AccessTokenTestSigner signer, string? kid = null)
    {
        var claims = signer.Claims(DateTimeOffset.UtcNow, "reference-api", "orders.read");
        claims.Remove("act");
        var header = signer.DefaultHeader();
        header["kid"] = kid ?? signer.KeyId;
        return signer.CreateToken(claims, header);
    }
}
