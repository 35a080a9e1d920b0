using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using Reference.Gateway.RateLimiting;
using Reference.Gateway.Tests.Infrastructure;
using Reference.TestUtilities.Redis;

namespace Reference.Gateway.Tests.RateLimiting;

/// <summary>
/// Limits on token-validated traffic, per test a gateway (or two) on the shared Redis under its own key prefix, with
/// per-minute limits so that no refill happens while a test runs.
/// </summary>
public sealed class GatewayRateLimitTests
{
    private const string OrdersPath = "/api/orders/42";

    [Fact]
    public async Task Request_BeyondThePerClientBurst_Gets429WithRetryAfterAndDownstreamSeesNothing()
    {
        await using var env = await StartAsync(await SharedRedisAsync(), ("PerClient", 2));

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 2; i++)
        {
            using var allowed = await SendAsync(env, env.Idp.CreateToken());
            statuses.Add(allowed.StatusCode);
        }

        using var limited = await SendAsync(env, env.Idp.CreateToken());
        using var otherClient = await SendAsync(env, env.Idp.CreateToken(editPayload: p => p["client_id"] = "other-client"));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], statuses);
        await GatewayAssert.ErrorAsync(limited, HttpStatusCode.TooManyRequests, GatewayRateLimitingMiddleware.TooManyRequests);
        Assert.InRange(limited.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        Assert.Equal(HttpStatusCode.OK, otherClient.StatusCode);
        Assert.Equal(3, env.Orders.Requests.Count);
    }

    [Fact]
    public async Task Request_BeyondThePerTenantBurst_Gets429WhateverTheClient()
    {
        await using var env = await StartAsync(await SharedRedisAsync(), ("PerTenant", 2));

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await SendAsync(env, env.Idp.CreateToken(editPayload: p => p["client_id"] = "client-" + i));
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(2, env.Orders.Requests.Count);
    }

    [Fact]
    public async Task Request_TwoGatewaysOnOneRedis_ShareTheGlobalBudget()
    {
        var redis = await SharedRedisAsync();
        var prefix = NewPrefix();
        await using var first = await StartAsync(redis, prefix, [], ("Global", 3));
        await using var second = await StartAsync(redis, prefix, [], ("Global", 3));

        var statuses = new List<HttpStatusCode>();
        foreach (var env in new[] { first, second, first, second })
        {
            using var response = await SendAsync(env, env.Idp.CreateToken(editPayload: p => p["client_id"] = Guid.NewGuid().ToString("N")));
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task Request_AnonymousRoute_IsNotChargedToTheAuthenticatedBudget()
    {
        await using var env = await StartAsync(await SharedRedisAsync(), ("Global", 1));

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await env.Client.GetAsync("/api/public/ping");
            statuses.Add(response.StatusCode);
        }

        using var authenticated = await SendAsync(env, env.Idp.CreateToken());

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(HttpStatusCode.OK, authenticated.StatusCode);
    }

    [Fact]
    public async Task Request_RedisUnreachable_FallsBackToTheLocalLimiter()
    {
        await using var env = await StartAsync(redis: null, ("PerClient", 2));

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await SendAsync(env, env.Idp.CreateToken());
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task Request_RedisUnreachableAndFailClosed_Gets503AndDownstreamSeesNothing()
    {
        await using var env = await StartAsync(redis: null, new Dictionary<string, string?> { ["RateLimiting:OnRedisUnavailable"] = "FailClosed" });

        using var response = await SendAsync(env, env.Idp.CreateToken());

        await GatewayAssert.ErrorAsync(response, HttpStatusCode.ServiceUnavailable, "temporarily_unavailable");
        Assert.Empty(env.Orders.Requests);
    }

    [Theory]
    [InlineData("Gateway:RateLimiting:Global:Burst", "0", "Gateway:RateLimiting:Global:Burst must be at least 1")]
    [InlineData("Gateway:RateLimiting:PerClient:PermitLimit", "0", "Gateway:RateLimiting:PerClient:PermitLimit must be at least 1")]
    [InlineData("Gateway:RateLimiting:PerTenant:Period", "-00:00:01", "Gateway:RateLimiting:PerTenant:Period must be positive")]
    [InlineData("RateLimiting:KeyPrefix", "has space", "RateLimiting:KeyPrefix must be")]
    public async Task Start_BadRateLimitSetting_FailsNamingTheKey(string key, string value, string expected)
    {
        var env = new GatewayEnvironment(new Dictionary<string, string?> { [key] = value }, waitForReady: false);
        try
        {
            var exception = await Assert.ThrowsAsync<OptionsValidationException>(env.InitializeAsync);

            Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
        }
        finally
        {
            await env.DisposeAsync();
        }
    }

    private static async Task<RedisTestServer> SharedRedisAsync() => await RedisTestServer.GetSharedAsync();

    private static Task<Started> StartAsync(RedisTestServer? redis, params (string Rule, int Burst)[] rules) =>
        StartAsync(redis, NewPrefix(), [], rules);

    private static Task<Started> StartAsync(RedisTestServer? redis, Dictionary<string, string?> extra) =>
        StartAsync(redis, NewPrefix(), extra, []);

    private static async Task<Started> StartAsync(RedisTestServer? redis, string prefix, Dictionary<string, string?> extra, params (string Rule, int Burst)[] rules)
    {
        var settings = new Dictionary<string, string?>(extra) { ["RateLimiting:KeyPrefix"] = prefix };
        if (redis is not null)
        {
            settings["ConnectionStrings:cache"] = redis.ConnectionString;
        }

        foreach (var (rule, burst) in rules)
        {
            settings[$"Gateway:RateLimiting:{rule}:PermitLimit"] = "1";
            settings[$"Gateway:RateLimiting:{rule}:Period"] = "00:01:00";
            settings[$"Gateway:RateLimiting:{rule}:Burst"] = burst.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var env = new GatewayEnvironment(settings);
        await env.InitializeAsync();
        return new Started(env);
    }

    private static string NewPrefix() => $"gw-rl-test-{Guid.NewGuid():N}:";

    private static Task<HttpResponseMessage> SendAsync(Started env, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, OrdersPath);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return env.Client.SendAsync(request);
    }

    private sealed class Started(GatewayEnvironment env) : IAsyncDisposable
    {
        public FakeIdentityProvider Idp => env.Idp;

        public RecordingDownstream Orders => env.Orders;

        public HttpClient Client => env.Client;

        public ValueTask DisposeAsync() => new(env.DisposeAsync());
    }
}
