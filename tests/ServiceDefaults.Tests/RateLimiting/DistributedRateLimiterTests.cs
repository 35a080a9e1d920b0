using Reference.Redis;
using Reference.ServiceDefaults.RateLimiting;
using Reference.TestUtilities;
using Reference.TestUtilities.Redis;

namespace Reference.ServiceDefaults.Tests.RateLimiting;

public sealed class DistributedRateLimiterTests : IAsyncLifetime, IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly string _prefix = $"rl-test-{Guid.NewGuid():N}:";
    private RedisClient _redis = null!;

    public async Task InitializeAsync()
    {
        var server = await RedisTestServer.GetSharedAsync();
        _redis = new RedisClient(server.Options());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _redis.Dispose();

    [Fact]
    public async Task Acquire_BurstThenSteadyRate_AllowsBurstThenOnePerEmissionInterval()
    {
        using var harness = new RateLimiterHarness(_redis, _time, _prefix);
        var rule = RateLimitRule.Create(10, TimeSpan.FromSeconds(1), 5);
        var burst = new List<bool>();
        for (var i = 0; i < 6; i++)
        {
            burst.Add((await AcquireAsync(harness, rule, "p")).IsAllowed);
        }

        _time.Advance(TimeSpan.FromMilliseconds(100));
        var afterOneInterval = await AcquireAsync(harness, rule, "p");
        var immediatelyAgain = await AcquireAsync(harness, rule, "p");
        _time.Advance(TimeSpan.FromMilliseconds(250));
        var afterTwoAndAHalf = new[] { (await AcquireAsync(harness, rule, "p")).IsAllowed, (await AcquireAsync(harness, rule, "p")).IsAllowed, (await AcquireAsync(harness, rule, "p")).IsAllowed };

        Assert.Equal([true, true, true, true, true, false], burst);
        Assert.True(afterOneInterval.IsAllowed);
        Assert.Equal(RateLimitSource.Redis, afterOneInterval.Source);
        Assert.False(immediatelyAgain.IsAllowed);
        Assert.Equal([true, true, false], afterTwoAndAHalf);
    }

    [Theory]
    [InlineData(10, 60, 5, 6, 6_000)]
    [InlineData(5, 60, 3, 4, 12_000)]
    [InlineData(1, 1, 1, 2, 1_000)]
    [InlineData(10_000, 1, 500, 501, 0.1)]
    [InlineData(5, 300, 1, 3, 60_000)]
    public async Task Acquire_BeyondTheBurst_RetryAfterIsTheTimeUntilTheNextPermit(int permits, int periodSeconds, int burst, int requests, double expectedMilliseconds)
    {
        using var harness = new RateLimiterHarness(_redis, _time, _prefix);
        var rule = RateLimitRule.Create(permits, TimeSpan.FromSeconds(periodSeconds), burst);
        RateLimitDecision last = default;
        for (var i = 0; i < requests; i++)
        {
            last = await AcquireAsync(harness, rule, "retry");
        }

        Assert.False(last.IsAllowed);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), last.RetryAfter);
        Assert.Equal(RetryAfterHeader.Seconds(TimeSpan.FromMilliseconds(expectedMilliseconds)), last.RetryAfterSeconds);
        Assert.True(last.RetryAfterSeconds >= 1);
    }

    [Fact]
    public async Task Acquire_TwoInstancesSharingRedis_SeeOneBudget()
    {
        using var first = new RateLimiterHarness(_redis, _time, _prefix);
        await using var otherConnection = new RedisClient(_redis.Options);
        using var second = new RateLimiterHarness(otherConnection, _time, _prefix);
        var rule = RateLimitRule.Create(1, TimeSpan.FromMinutes(1), 4);
        var outcomes = new List<bool>();
        for (var i = 0; i < 3; i++)
        {
            outcomes.Add((await AcquireAsync(first, rule, "shared")).IsAllowed);
            outcomes.Add((await AcquireAsync(second, rule, "shared")).IsAllowed);
        }

        Assert.Equal([true, true, true, true, false, false], outcomes);
    }

    [Fact]
    public async Task Acquire_SeveralLimits_IsAllOrNothing()
    {
        using var harness = new RateLimiterHarness(_redis, _time, _prefix);
        var roomy = RateLimitRule.Create(1, TimeSpan.FromMinutes(1), 3);
        var tight = RateLimitRule.Create(1, TimeSpan.FromMinutes(1), 1);
        var first = await harness.Limiter.AcquireAsync([new("roomy", roomy, "x"), new("tight", tight, "x")]);
        var second = await harness.Limiter.AcquireAsync([new("roomy", roomy, "x"), new("tight", tight, "x")]);
        var roomyAlone = new[] { (await AcquireAsync(harness, roomy, "x", "roomy")).IsAllowed, (await AcquireAsync(harness, roomy, "x", "roomy")).IsAllowed, (await AcquireAsync(harness, roomy, "x", "roomy")).IsAllowed };

        Assert.True(first.IsAllowed);
        Assert.False(second.IsAllowed);
        Assert.Equal("tight", second.DeniedBy);
        Assert.Equal([true, true, false], roomyAlone);
        Assert.Equal(1, harness.Count(RateLimitingTelemetry.DecisionsName, "limiter=tight", "outcome=denied"));
    }

    [Fact]
    public async Task Acquire_KeysAreUnderThePrefix_WithAGarbageCollectionTtl()
    {
        using var harness = new RateLimiterHarness(_redis, _time, _prefix);
        await AcquireAsync(harness, RateLimitRule.Create(1, TimeSpan.FromSeconds(1), 1), "ttl");

        var ttl = await _redis.GetTimeToLiveAsync($"{_prefix}test:ttl");

        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(62));
    }

    [Fact]
    public async Task Lockout_MaxFailures_LocksUntilTheDurationPassesAndResetClears()
    {
        using var harness = new RateLimiterHarness(_redis, _time, _prefix);
        var rule = LockoutRule.Create(3, TimeSpan.FromMinutes(5));
        var results = new List<LockoutFailureResult>();
        for (var i = 0; i < 3; i++)
        {
            results.Add(await harness.Limiter.RecordFailureAsync("lock", rule, "ip"));
        }

        var locked = await harness.Limiter.GetLockoutAsync("lock", rule, "ip");
        _time.Advance(TimeSpan.FromMinutes(5));
        var expired = await harness.Limiter.GetLockoutAsync("lock", rule, "ip");
        await harness.Limiter.RecordFailureAsync("lock", rule, "other");
        await harness.Limiter.RecordFailureAsync("lock", rule, "other");
        await harness.Limiter.ResetFailuresAsync("lock", "other");
        var afterReset = await harness.Limiter.RecordFailureAsync("lock", rule, "other");

        Assert.Equal([false, false, true], results.Select(r => r.LockedByThisFailure));
        Assert.True(locked.IsLocked);
        Assert.Equal(Start + TimeSpan.FromMinutes(5), locked.LockedUntil);
        Assert.Equal(RateLimitSource.Redis, locked.Source);
        Assert.False(expired.IsLocked);
        Assert.False(afterReset.LockedByThisFailure);
        Assert.Null(afterReset.LockedUntil);
    }

    [Fact]
    public async Task Lockout_FailuresOutsideTheWindow_DoNotAccumulate()
    {
        using var harness = new RateLimiterHarness(_redis, _time, _prefix);
        var rule = LockoutRule.Create(2, TimeSpan.FromMinutes(5));
        await harness.Limiter.RecordFailureAsync("lock", rule, "slow");
        _time.Advance(TimeSpan.FromMinutes(5));
        var second = await harness.Limiter.RecordFailureAsync("lock", rule, "slow");

        Assert.False(second.LockedByThisFailure);
        Assert.False((await harness.Limiter.GetLockoutAsync("lock", rule, "slow")).IsLocked);
    }

    [Fact]
    public async Task Acquire_DisabledRule_AllowsWithoutRedis()
    {
        using var harness = new RateLimiterHarness(_redis, _time, _prefix);
        var rule = RateLimitRule.Create(1, TimeSpan.FromMinutes(1), 1);
        rule.Enabled = false;

        var decisions = new[] { await AcquireAsync(harness, rule, "off"), await AcquireAsync(harness, rule, "off") };

        Assert.All(decisions, d => Assert.Equal((true, RateLimitSource.None), (d.IsAllowed, d.Source)));
    }

    private static ValueTask<RateLimitDecision> AcquireAsync(RateLimiterHarness harness, RateLimitRule rule, string partition, string limiter = "test") =>
        harness.Limiter.AcquireAsync([new RateLimitRequest(limiter, rule, partition)]);
}
