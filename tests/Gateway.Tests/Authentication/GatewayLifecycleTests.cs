using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using Reference.Gateway.Propagation.InternalTokens;
using Reference.Gateway.Tests.Infrastructure;

namespace Reference.Gateway.Tests.Authentication;

/// <summary>Behaviour across a gateway's life: key loading, readiness, restarts.</summary>
public sealed class GatewayLifecycleTests
{
    [Fact]
    public async Task Requests_ManyValidTokens_JwksFetchedOnce()
    {
        await using var env = new GatewayEnvironment(new Dictionary<string, string?>());
        await env.InitializeAsync();

        for (var i = 0; i < 10; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/orders/{i}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", env.Idp.CreateToken(alg: i % 2 == 0 ? "RS256" : "ES256"));
            using var response = await env.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(10, env.Orders.Requests.Count);
        Assert.Equal(1, env.Idp.DiscoveryRequests);
        Assert.Equal(1, env.Idp.JwksRequests);
    }

    [Fact]
    public async Task Health_IssuerUnreachable_NotReadyButAlive_AndTokensRejected()
    {
        await using var env = new GatewayEnvironment(new Dictionary<string, string?>
        {
            ["services:identity:http:0"] = "http://127.0.0.1:1",
        }, waitForReady: false);
        await env.InitializeAsync();

        using var health = await env.Client.GetAsync("/health");
        using var alive = await env.Client.GetAsync("/alive");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/1");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", env.Idp.CreateToken());
        using var response = await env.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("temporarily_unavailable", body.RootElement.GetProperty("error").GetString());
        Assert.Empty(env.Orders.Requests);
    }

    [Fact]
    public async Task InternalKey_GatewayRestartsOnSameDataPath_SameKeyPublished()
    {
        await using var env = new GatewayEnvironment(new Dictionary<string, string?>());
        await env.InitializeAsync();
        var first = await PublishedKeyIdAsync(env.Client);

        await using var restarted = new GatewayFactory(GatewayEnvironment.Settings(env.Idp, env.Orders, env.Inventory, env.DataPath));
        using var client = restarted.CreateClient();
        var second = await PublishedKeyIdAsync(client);

        Assert.Equal(first, second);
        Assert.True(File.Exists(Path.Combine(env.DataPath, "keys", FileInternalSigningKeyStore.FileName(1))));
    }

    [Fact]
    public async Task Logs_AcceptedAndRejectedTokens_NeverContainTheToken()
    {
        var logs = new CapturingLoggerProvider();
        await using var env = new GatewayEnvironment(
            new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Trace" },
            configureServices: services => services.AddSingleton<ILoggerProvider>(logs));
        await env.InitializeAsync();
        var accepted = env.Idp.CreateToken();
        var insufficient = env.Idp.CreateToken(scope: "inventory.read");
        var expired = env.Idp.CreateToken(editPayload: p => p["exp"] = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds());

        foreach (var token in new[] { accepted, insufficient, expired })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/1");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await env.Client.SendAsync(request);
        }

        var lines = logs.Lines;
        Assert.Contains(lines, line => line.Contains("[2002]", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("[2003]", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("[2004]", StringComparison.Ordinal));
        foreach (var token in new[] { accepted, insufficient, expired })
        {
            var signature = token.Split('.')[2];
            Assert.DoesNotContain(lines, line => line.Contains(signature, StringComparison.Ordinal));
            Assert.DoesNotContain(lines, line => line.Contains(token.Split('.')[1], StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task AuthMetric_EachDecision_CountedBySchemeResultAndReason_WithDuration()
    {
        await using var env = new GatewayEnvironment(new Dictionary<string, string?>());
        await env.InitializeAsync();
        var meterFactory = env.Factory.Services.GetRequiredService<IMeterFactory>();
        var recorded = new ConcurrentQueue<(string Scheme, string Result, string Reason)>();
        var durations = new ConcurrentQueue<(string Scheme, double Seconds)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name is "gateway.auth.requests" or "gateway.auth.duration" && ReferenceEquals(instrument.Meter.Scope, meterFactory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            var map = tags.ToArray().ToDictionary(t => t.Key, t => t.Value?.ToString() ?? string.Empty);
            recorded.Enqueue((map["scheme"], map["result"], map["reason"]));
        });
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
            durations.Enqueue((tags.ToArray().Single(t => t.Key == "scheme").Value!.ToString()!, value)));
        listener.Start();

        using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/1"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", env.Idp.CreateToken());
            using var ok = await env.Client.SendAsync(request);
        }

        using (var missing = await env.Client.GetAsync("/api/orders/1"))
        {
        }

        using (var anonymous = await env.Client.GetAsync("/api/public/1"))
        {
        }

        Assert.Equal([("jwt", "success", "ok"), ("none", "failure", "missing_token"), ("anonymous", "anonymous", "anonymous")], recorded.ToArray());
        Assert.Equal(["jwt", "none", "anonymous"], durations.Select(d => d.Scheme));
        Assert.All(durations, d => Assert.True(d.Seconds >= 0));
    }

    [Fact]
    public async Task Tracing_AuthenticatedRequest_AuthenticationAndMintingSpansInTheRequestTrace()
    {
        await using var env = new GatewayEnvironment(new Dictionary<string, string?>());
        await env.InitializeAsync();
        var subject = Guid.NewGuid().ToString("N");
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Reference.Gateway" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/1");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", env.Idp.CreateToken(editPayload: p => p["sub"] = subject));
        using var response = await env.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var authentication = Assert.Single(stopped, a => a.OperationName == "gateway.authenticate" && (string?)a.GetTagItem("enduser.id") == subject);
        Assert.Equal("success", authentication.GetTagItem("gateway.auth.result"));
        Assert.Equal("orders-read", authentication.GetTagItem("gateway.route_id"));
        var minting = Assert.Single(stopped, a => a.OperationName == "gateway.internal_token.mint" && a.TraceId == authentication.TraceId);
        Assert.Equal("orders-api", minting.GetTagItem("gateway.internal_token.audience"));
        Assert.NotEqual(authentication.SpanId, minting.ParentSpanId);
    }

    private static async Task<string> PublishedKeyIdAsync(HttpClient client) =>
        Assert.Single(new JsonWebKeySet(await client.GetStringAsync("/.well-known/internal-jwks.json")).Keys).Kid;
}
