using Reference.Redis;
using Reference.ServiceDefaults.RateLimiting;
using Reference.TestUtilities;
using Reference.TestUtilities.Redis;

namespace Reference.ServiceDefaults.Tests.RateLimiting;

/// <summary>A private Redis server killed under the limiter: the configured behaviour decides, nothing throws.</summary>
public sealed class RedisOutageTests : IAsyncLifetime, IDisposable
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
    private RedisTestServer _server = null!;
    private RedisClient _redis = null!;

    public async Task InitializeAsync()
    {
        _server = await RedisTestServer.StartNewAsync(ServerKind.Redis);
        _redis = new RedisClient(_server.Options(o =>
        {
            o.ConnectTimeout = TimeSpan.FromSeconds(3);
            o.CommandTimeout = TimeSpan.FromSeconds(3);
        }));
        await _redis.PingAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _redis.Dispose();

    [Fact]
    public async Task Acquire_RedisKilled_FallsBackToALocalLimiterWithAMetric()
    {
        using var harness = new RateLimiterHarness(_redis, _time, "outage:");
        var rule = RateLimitRule.Create(1, TimeSpan.FromMinutes(1), 2);
        var before = await AcquireAsync(harness, rule);
        await _server.KillAsync();

        var during = new List<RateLimitDecision>();
        for (var i = 0; i < 3; i++)
        {
            during.Add(await AcquireAsync(harness, rule));
        }

        var lockoutRule = LockoutRule.Create(1, TimeSpan.FromMinutes(1));
        var failure = await harness.Limiter.RecordFailureAsync("lock", lockoutRule, "ip");
        var lockout = await harness.Limiter.GetLockoutAsync("lock", lockoutRule, "ip");

        Assert.Equal(RateLimitSource.Redis, before.Source);
        Assert.All(during, d => Assert.Equal(RateLimitSource.Local, d.Source));
        Assert.Equal([true, true, false], during.Select(d => d.IsAllowed));
        Assert.True(failure.LockedByThisFailure);
        Assert.Equal((true, RateLimitSource.Local), (lockout.IsLocked, lockout.Source));
        Assert.True(harness.Count(RateLimitingTelemetry.FallbacksName, "behavior=local") >= 3);
    }

    [Theory]
    [InlineData(RedisUnavailableBehavior.FailOpen, true, false)]
    [InlineData(RedisUnavailableBehavior.FailClosed, false, true)]
    public async Task Acquire_RedisKilled_AppliesTheConfiguredBehavior(RedisUnavailableBehavior behavior, bool allowed, bool unavailable)
    {
        using var harness = new RateLimiterHarness(_redis, _time, "outage:", behavior);
        await _server.KillAsync();

        var decision = await AcquireAsync(harness, RateLimitRule.Create(1, TimeSpan.FromMinutes(1), 1));

        Assert.Equal(allowed, decision.IsAllowed);
        Assert.Equal(unavailable, decision.IsUnavailable);
        Assert.Equal(1, harness.Count(RateLimitingTelemetry.FallbacksName, behavior == RedisUnavailableBehavior.FailOpen ? "behavior=fail_open" : "behavior=fail_closed"));
    }

    [Fact]
    public async Task Acquire_RedisBackAfterTheRetryInterval_UsesTheSharedBudgetAgain()
    {
        using var harness = new RateLimiterHarness(_redis, _time, "outage:");
        var rule = RateLimitRule.Create(100, TimeSpan.FromSeconds(1), 100);
        await _server.KillAsync();
        var during = await AcquireAsync(harness, rule);
        await _server.StartAsync();
        var stillSkipping = await AcquireAsync(harness, rule);
        _time.Advance(TimeSpan.FromSeconds(5));
        RateLimitDecision after = default;
        for (var attempt = 0; attempt < 50 && after.Source != RateLimitSource.Redis; attempt++)
        {
            // The client reconnects in the background; each failed try re-opens the retry interval.
            after = await AcquireAsync(harness, rule);
            if (after.Source != RateLimitSource.Redis)
            {
                await Task.Delay(100);
                _time.Advance(TimeSpan.FromSeconds(5));
            }
        }

        Assert.Equal(RateLimitSource.Local, during.Source);
        Assert.Equal(RateLimitSource.Local, stillSkipping.Source);
        Assert.Equal(RateLimitSource.Redis, after.Source);
    }

    private static ValueTask<RateLimitDecision> AcquireAsync(RateLimiterHarness harness, RateLimitRule rule) =>
        harness.Limiter.AcquireAsync([new RateLimitRequest("outage", rule, "p")]);
}
