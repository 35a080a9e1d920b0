using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Reference.Gateway.Tests.Infrastructure;
using Reference.TestUtilities;

namespace Reference.Gateway.Tests.Authentication.Jwt;

/// <summary>
/// The JWKS cache's behaviour seen from outside: a real Kestrel gateway on a fake clock, a fake IdP whose JWKS
/// endpoint can fail, return garbage or hang, with counted fetches. Defaults: keys fresh for 5 min (refresh at
/// 3 min 45 s), retry and unknown-kid throttle 30 s, maximum stale age 1 h.
/// </summary>
public sealed class JwksResilienceTests : IAsyncLifetime
{
    private static readonly TimeSpan RefreshAt = TimeSpan.FromMinutes(5) * 0.75;

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly GatewayEnvironment _env;
    private HttpClient Client { get; set; } = null!;

    private MeterListener? Listener { get; set; }

    public JwksResilienceTests()
    {
        _env = new GatewayEnvironment(
            new Dictionary<string, string?>(),
            waitForReady: false,
            configureServices: services => services.AddSingleton<TimeProvider>(_time),
            useKestrel: true);
        _env.Idp.Clock = _time;
    }

    public async Task InitializeAsync()
    {
        await _env.InitializeAsync();
        Client = new HttpClient { BaseAddress = _env.KestrelAddress };
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        Listener?.Dispose();
        _env.Idp.ReleaseHangs();
        await _env.DisposeAsync();
    }

    [Fact]
    public async Task Startup_KeysLoadedOnce_ThenReady()
    {
        await WaitForHealthAsync(HttpStatusCode.OK, "Healthy");

        for (var i = 0; i < 5; i++)
        {
            using var response = await SendAsync(_env.Idp.CreateToken());
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(1, _env.Idp.JwksRequests);
    }

    [Fact]
    public async Task Refresh_At75PercentOfLifetime_InBackground()
    {
        await WaitForHealthAsync(HttpStatusCode.OK, "Healthy");

        _time.Advance(RefreshAt - TimeSpan.FromSeconds(1));
        using (var before = await SendAsync(_env.Idp.CreateToken()))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        Assert.Equal(1, _env.Idp.JwksRequests);
        _time.Advance(TimeSpan.FromSeconds(1));

        await _env.Idp.WaitForJwksRequestsAsync(2);
    }

    [Fact]
    public async Task Refresh_Scheduled_RequestsNeverWaitOnIt()
    {
        await WaitForHealthAsync(HttpStatusCode.OK, "Healthy");
        _env.Idp.JwksBehavior = JwksBehavior.Hang;

        _time.Advance(RefreshAt);
        await _env.Idp.WaitForJwksRequestsAsync(2);

        using var response = await SendAsync(_env.Idp.CreateToken());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, _env.Idp.JwksRequests);
    }

    [Fact]
    public async Task UnknownKidStorm_ConcurrentRequests_AtMostOneFetchPerWindow()
    {
        await WaitForHealthAsync(HttpStatusCode.OK, "Healthy");
        _env.ClearRecordings();

        var storm = Enumerable.Range(0, 30).Select(async i =>
        {
            using var response = await SendAsync(_env.Idp.CreateToken(editHeader: h => h["kid"] = $"storm-{i}"));
            return response.StatusCode;
        });
        var statuses = await Task.WhenAll(storm);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(2, _env.Idp.JwksRequests);
        Assert.Empty(_env.Orders.Requests);

        _time.Advance(TimeSpan.FromSeconds(29));
        using (var throttled = await SendAsync(_env.Idp.CreateToken(editHeader: h => h["kid"] = "storm-late")))
        {
            await GatewayAssert.RejectedAsync(throttled, HttpStatusCode.Unauthorized, "invalid_token", _env.Orders);
        }

        Assert.Equal(2, _env.Idp.JwksRequests);
    }

    [Fact]
    public async Task RefreshFailing_StaleKeysKept_Degraded_ThenPastMaxStale503AndUnready_ThenRecovers()
    {
        await WaitForHealthAsync(HttpStatusCode.OK, "Healthy");
        var staleness = ObserveStaleness();
        _env.Idp.JwksBehavior = JwksBehavior.Fail500;

        _time.Advance(RefreshAt);
        await _env.Idp.WaitForJwksRequestsAsync(2);
        _time.Advance(TimeSpan.FromMinutes(5) - RefreshAt + TimeSpan.FromSeconds(30));

        await WaitForHealthAsync(HttpStatusCode.OK, "Degraded");
        using (var stale = await SendAsync(_env.Idp.CreateToken()))
        {
            Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        }

        Assert.True(staleness() > 0);

        _time.Advance(TimeSpan.FromHours(1));
        await WaitForHealthAsync(HttpStatusCode.ServiceUnavailable, "Unhealthy");
        _env.ClearRecordings();
        using (var expired = await SendAsync(_env.Idp.CreateToken()))
        {
            await GatewayAssert.RejectedAsync(expired, HttpStatusCode.ServiceUnavailable, "temporarily_unavailable", _env.Orders, _env.Inventory);
        }

        _env.Idp.JwksBehavior = JwksBehavior.Normal;
        await AdvanceUntilHealthyAsync(TimeSpan.FromSeconds(31));
        using (var recovered = await SendAsync(_env.Idp.CreateToken()))
        {
            Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
        }

        Assert.Equal(0, staleness());
    }

    [Theory]
    [InlineData(JwksBehavior.Fail500)]
    [InlineData(JwksBehavior.Garbage)]
    public async Task Startup_JwksBroken_NotReady_TokensRejected_RecoversWithoutRestart(JwksBehavior behavior)
    {
        await using var env = new GatewayEnvironment(new Dictionary<string, string?>(), waitForReady: false, useKestrel: true);
        env.Idp.JwksBehavior = behavior;
        await env.InitializeAsync();
        using var client = new HttpClient { BaseAddress = env.KestrelAddress };
        await env.Idp.WaitForJwksRequestsAsync(1);

        using (var health = await client.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        }

        using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/1"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", env.Idp.CreateToken());
            using var response = await client.SendAsync(request);
            await GatewayAssert.RejectedAsync(response, HttpStatusCode.ServiceUnavailable, "temporarily_unavailable", env.Orders);
        }

        env.Idp.JwksBehavior = JwksBehavior.Normal;
        await GatewayEnvironment.WaitForReadyAsync(client);
    }

    [Fact]
    public async Task Startup_JwksHangs_FetchTimesOut_NotReady_ThenRecovers()
    {
        _env.Idp.ReleaseHangs();
        await using var env = new GatewayEnvironment(
            new Dictionary<string, string?>(), waitForReady: false, configureServices: s => s.AddSingleton<TimeProvider>(_time), useKestrel: true);
        env.Idp.JwksBehavior = JwksBehavior.Hang;
        await env.InitializeAsync();
        using var client = new HttpClient { BaseAddress = env.KestrelAddress };
        await env.Idp.WaitForJwksRequestsAsync(1);

        _time.Advance(TimeSpan.FromSeconds(5));
        using (var health = await client.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        }

        env.Idp.JwksBehavior = JwksBehavior.Normal;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            using var health = await client.GetAsync("/health");
            if (health.StatusCode == HttpStatusCode.OK)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "The gateway did not recover after the JWKS endpoint stopped hanging.");
            await Task.Delay(20);
        }
    }

    private Func<double> ObserveStaleness()
    {
        var meterFactory = _env.Factory.Services.GetRequiredService<IMeterFactory>();
        var values = new ConcurrentDictionary<string, double>();
        var listener = Listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "gateway.jwks.staleness" && ReferenceEquals(instrument.Meter.Scope, meterFactory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
            values[tags.ToArray().Single(t => t.Key == "issuer").Value!.ToString()!] = value);
        listener.Start();
        return () =>
        {
            listener.RecordObservableInstruments();
            return values["default"];
        };
    }

    private async Task<HttpResponseMessage> SendAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/1");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await Client.SendAsync(request);
    }

    /// <summary>Moves the clock a retry interval at a time (a failed fetch may still be finishing) until ready again.</summary>
    private async Task AdvanceUntilHealthyAsync(TimeSpan step)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            _time.Advance(step);
            using var response = await Client.GetAsync("/health");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "The gateway did not recover: " + await response.Content.ReadAsStringAsync());
            await Task.Delay(50);
        }
    }

    private async Task WaitForHealthAsync(HttpStatusCode status, string overall)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            using var response = await Client.GetAsync("/health");
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == status && JsonDocument.Parse(body).RootElement.GetProperty("status").GetString() == overall)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Expected {status}/{overall}, last: {response.StatusCode} {body}");
            await Task.Delay(20);
        }
    }
}
