using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Reference.Redis;

namespace Reference.ServiceDefaults.RateLimiting;

/// <summary>
/// GCRA limits and failure lockouts in Redis, one atomic Lua script per call (EVALSHA, EVAL on NOSCRIPT through
/// <see cref="RedisClient.ScriptEvaluateAsync"/>). Time is the application's <see cref="TimeProvider"/>, passed to the
/// script in microseconds, not Redis <c>TIME</c>: tests drive it with a fake clock, and replicas' NTP-synchronised
/// clocks differ by far less than any emission interval configured here. Keys:
/// <c>{KeyPrefix}{limiter}:{partition}</c> (a GCRA theoretical arrival time) and <c>{KeyPrefix}{limiter}:{partition}</c>
/// of a lockout (a hash ws/c/lu); the Redis TTL only collects garbage, decisions compare the stored instants with now.
/// On any Redis failure the configured behaviour decides, and Redis is skipped for
/// <see cref="RateLimitingOptions.RedisRetryInterval"/>.
/// </summary>
internal sealed class DistributedRateLimiter(
    RedisClient redis,
    IOptions<RateLimitingOptions> options,
    RateLimitingTelemetry telemetry,
    TimeProvider timeProvider,
    ILogger<DistributedRateLimiter> logger) : IDistributedRateLimiter
{
    // Garbage-collection margin added to every TTL: a key outlives its state by this much, never less than 1 s.
    private const long TtlMarginMicroseconds = 60_000_000;

    // KEYS: one per limit. ARGV[1] now (µs); per key i: ARGV[2i] emission interval T, ARGV[2i+1] burst tolerance (µs).
    // All limits are checked first; only if every one allows is each key's TAT advanced (all or nothing).
    // Returns {allowed 1/0, index of the denying key (1-based) or 0, wait in µs}.
    internal const string GcraScript = """
        local now = tonumber(ARGV[1])
        local worst = 0
        local denied = 0
        local tats = {}
        for i = 1, #KEYS do
          local t = tonumber(ARGV[2 * i])
          local tolerance = tonumber(ARGV[2 * i + 1])
          local tat = tonumber(redis.call('GET', KEYS[i]) or '0') or 0
          if tat < now then tat = now end
          local newtat = tat + t
          local wait = newtat - now - tolerance
          if wait > worst then
            worst = wait
            denied = i
          end
          tats[i] = newtat
        end
        if denied > 0 then return {0, denied, worst} end
        for i = 1, #KEYS do
          local ttl = math.floor((tats[i] - now + tonumber(ARGV[#ARGV])) / 1000)
          redis.call('SET', KEYS[i], string.format('%d', tats[i]), 'PX', ttl)
        end
        return {1, 0, 0}
        """;

    // KEYS[1]; ARGV: now, failure window, max failures, lockout duration, TTL margin (µs). Hash fields: ws window start,
    // c failures in the window, lu locked until. Returns {locked by this failure 1/0, locked until}.
    internal const string FailureScript = """
        local now = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local lu = tonumber(redis.call('HGET', KEYS[1], 'lu') or '0') or 0
        if lu > now then return {0, lu} end
        local ws = tonumber(redis.call('HGET', KEYS[1], 'ws') or '0') or 0
        local c = 0
        if now - ws < window then c = tonumber(redis.call('HGET', KEYS[1], 'c') or '0') or 0 else ws = now end
        c = c + 1
        local locked = 0
        if c >= tonumber(ARGV[3]) then
          lu = now + tonumber(ARGV[4])
          c = 0
          ws = now
          locked = 1
        end
        redis.call('HSET', KEYS[1], 'ws', string.format('%d', ws), 'c', c, 'lu', string.format('%d', lu))
        local keep = math.max(ws + window, lu) - now + tonumber(ARGV[5])
        redis.call('PEXPIRE', KEYS[1], math.floor(keep / 1000))
        return {locked, lu}
        """;

    private readonly LocalRateLimitStore _local = new();
    private long _redisRetryAt = long.MinValue;

    public async ValueTask<RateLimitDecision> AcquireAsync(IReadOnlyList<RateLimitRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var active = requests.Where(r => r.Rule.Enabled).ToList();
        if (active.Count == 0)
        {
            return new RateLimitDecision(true, TimeSpan.Zero, null, RateLimitSource.None);
        }

        var now = NowMicroseconds();
        var keys = active.Select(r => (Key: Key(r.Limiter, r.Partition), r.Rule.EmissionIntervalMicroseconds, r.Rule.BurstToleranceMicroseconds)).ToList();
        RateLimitDecision decision;
        if (UseRedis())
        {
            try
            {
                var args = new List<RedisValue>(1 + (2 * keys.Count) + 1) { now };
                foreach (var (_, interval, tolerance) in keys)
                {
                    args.Add(interval);
                    args.Add(tolerance);
                }

                args.Add(TtlMarginMicroseconds);
                var result = await redis.ScriptEvaluateAsync(GcraScript, [.. keys.Select(k => k.Key)], args, cancellationToken);
                RedisSucceeded();
                var items = result.Items;
                decision = items[0].ToInt64() == 1
                    ? new RateLimitDecision(true, TimeSpan.Zero, null, RateLimitSource.Redis)
                    : Denied(active[(int)items[1].ToInt64() - 1].Limiter, items[2].ToInt64(), RateLimitSource.Redis);
                Record(active, decision);
                return decision;
            }
            catch (RedisException ex) when (!cancellationToken.IsCancellationRequested)
            {
                RedisFailed("acquire", ex);
            }
        }

        decision = options.Value.OnRedisUnavailable switch
        {
            RedisUnavailableBehavior.FailOpen => new RateLimitDecision(true, TimeSpan.Zero, null, RateLimitSource.FailOpen),
            RedisUnavailableBehavior.FailClosed => new RateLimitDecision(false, TimeSpan.Zero, null, RateLimitSource.FailClosed),
            _ => LocalAcquire(active, keys, now),
        };
        telemetry.Fallback(options.Value.OnRedisUnavailable);
        Record(active, decision);
        return decision;
    }

    public async ValueTask<LockoutStatus> GetLockoutAsync(string limiter, LockoutRule rule, string partition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (!rule.Enabled)
        {
            return new LockoutStatus(false, null, RateLimitSource.None);
        }

        var key = Key(limiter, partition);
        var now = NowMicroseconds();
        if (UseRedis())
        {
            try
            {
                var value = await redis.HashGetAsync(key, "lu", cancellationToken);
                RedisSucceeded();
                var until = value.IsNull || !long.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var lu) ? 0 : lu;
                return Status(until, now, RateLimitSource.Redis);
            }
            catch (RedisException ex) when (!cancellationToken.IsCancellationRequested)
            {
                RedisFailed("lockout", ex);
            }
        }

        telemetry.Fallback(options.Value.OnRedisUnavailable);
        return options.Value.OnRedisUnavailable switch
        {
            RedisUnavailableBehavior.FailOpen => new LockoutStatus(false, null, RateLimitSource.FailOpen),
            RedisUnavailableBehavior.FailClosed => new LockoutStatus(true, null, RateLimitSource.FailClosed),
            _ => Status(_local.LockedUntil(key), now, RateLimitSource.Local),
        };
    }

    public async ValueTask<LockoutFailureResult> RecordFailureAsync(string limiter, LockoutRule rule, string partition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (!rule.Enabled)
        {
            return default;
        }

        var key = Key(limiter, partition);
        var now = NowMicroseconds();
        var window = Microseconds(rule.EffectiveFailureWindow);
        var duration = Microseconds(rule.LockoutDuration);
        (bool Locked, long Until) outcome;
        if (UseRedis())
        {
            try
            {
                var result = await redis.ScriptEvaluateAsync(FailureScript, [key], [now, window, rule.MaxFailures, duration, TtlMarginMicroseconds], cancellationToken);
                RedisSucceeded();
                outcome = (result.Items[0].ToInt64() == 1, result.Items[1].ToInt64());
                return Failure(limiter, outcome, now);
            }
            catch (RedisException ex) when (!cancellationToken.IsCancellationRequested)
            {
                RedisFailed("failure", ex);
            }
        }

        if (options.Value.OnRedisUnavailable != RedisUnavailableBehavior.LocalFallback)
        {
            return default;
        }

        outcome = _local.RecordFailure(key, now, window, rule.MaxFailures, duration);
        return Failure(limiter, outcome, now);
    }

    public async ValueTask ResetFailuresAsync(string limiter, string partition, CancellationToken cancellationToken = default)
    {
        var key = Key(limiter, partition);
        _local.Reset(key);
        if (UseRedis())
        {
            try
            {
                await redis.DeleteAsync(key, cancellationToken);
                RedisSucceeded();
            }
            catch (RedisException ex) when (!cancellationToken.IsCancellationRequested)
            {
                RedisFailed("reset", ex);
            }
        }
    }

    private RateLimitDecision LocalAcquire(List<RateLimitRequest> active, List<(string Key, long EmissionIntervalMicroseconds, long BurstToleranceMicroseconds)> keys, long now)
    {
        var (wait, denied) = _local.Acquire(keys, now);
        return denied < 0
            ? new RateLimitDecision(true, TimeSpan.Zero, null, RateLimitSource.Local)
            : Denied(active[denied].Limiter, wait, RateLimitSource.Local);
    }

    private LockoutFailureResult Failure(string limiter, (bool Locked, long Until) outcome, long now)
    {
        if (outcome.Locked)
        {
            telemetry.Decision(limiter, "locked");
        }

        return new LockoutFailureResult(outcome.Locked, outcome.Until > now ? FromMicroseconds(outcome.Until) : null);
    }

    private static RateLimitDecision Denied(string limiter, long waitMicroseconds, RateLimitSource source) =>
        new(false, TimeSpan.FromTicks(waitMicroseconds * 10), limiter, source);

    private static LockoutStatus Status(long lockedUntil, long now, RateLimitSource source) =>
        lockedUntil > now ? new LockoutStatus(true, FromMicroseconds(lockedUntil), source) : new LockoutStatus(false, null, source);

    private void Record(List<RateLimitRequest> active, RateLimitDecision decision)
    {
        if (decision.IsAllowed)
        {
            foreach (var request in active)
            {
                telemetry.Decision(request.Limiter, "allowed");
            }
        }
        else
        {
            telemetry.Decision(decision.DeniedBy ?? "unavailable", decision.IsUnavailable ? "unavailable" : "denied");
        }
    }

    private bool UseRedis() => timeProvider.GetTimestamp() >= Interlocked.Read(ref _redisRetryAt);

    private void RedisSucceeded()
    {
        if (Interlocked.Exchange(ref _redisRetryAt, long.MinValue) != long.MinValue)
        {
            RateLimitingLog.RedisRecovered(logger);
        }
    }

    private void RedisFailed(string operation, RedisException ex)
    {
        var retryAt = timeProvider.GetTimestamp() + (long)(options.Value.RedisRetryInterval.TotalSeconds * timeProvider.TimestampFrequency);
        Interlocked.Exchange(ref _redisRetryAt, retryAt);
        RateLimitingLog.RedisUnavailable(logger, operation, options.Value.OnRedisUnavailable, options.Value.RedisRetryInterval, ex);
    }

    private string Key(string limiter, string partition) => $"{options.Value.KeyPrefix}{limiter}:{partition}";

    private long NowMicroseconds() => (timeProvider.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / 10;

    private static long Microseconds(TimeSpan value) => value.Ticks / 10;

    private static DateTimeOffset FromMicroseconds(long value) => DateTimeOffset.UnixEpoch.AddTicks(value * 10);
}
