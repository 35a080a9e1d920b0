namespace Reference.ServiceDefaults.RateLimiting;

/// <summary>Where a decision came from.</summary>
public enum RateLimitSource
{
    /// <summary>The shared budget in Redis.</summary>
    Redis,

    /// <summary>The per-instance in-memory fallback (Redis unavailable).</summary>
    Local,

    /// <summary>Allowed without counting (Redis unavailable, <see cref="RedisUnavailableBehavior.FailOpen"/>).</summary>
    FailOpen,

    /// <summary>Refused without counting (Redis unavailable, <see cref="RedisUnavailableBehavior.FailClosed"/>).</summary>
    FailClosed,

    /// <summary>No enabled rule applied.</summary>
    None,
}

/// <summary>One limit to charge: the limiter's name (used in keys, metrics and logs), its rule and the partition.</summary>
/// <param name="Limiter">A short stable name such as <c>login-ip</c>.</param>
/// <param name="Rule">The rule.</param>
/// <param name="Partition">The partition key (an IP address, a client id, a username hash); never a secret or a clear username.</param>
public sealed record RateLimitRequest(string Limiter, RateLimitRule Rule, string Partition);

/// <summary>A rate-limit decision.</summary>
/// <param name="IsAllowed">Whether the request may proceed.</param>
/// <param name="RetryAfter">When refused: how long until it would be allowed (zero when <see cref="Source"/> is <see cref="RateLimitSource.FailClosed"/>).</param>
/// <param name="DeniedBy">When refused by a limit: that limiter's name.</param>
/// <param name="Source">Where the decision came from.</param>
public readonly record struct RateLimitDecision(bool IsAllowed, TimeSpan RetryAfter, string? DeniedBy, RateLimitSource Source)
{
    /// <summary>Refused because Redis is unavailable and the configured behaviour is to fail closed: answer 503, not 429.</summary>
    public bool IsUnavailable => !IsAllowed && Source == RateLimitSource.FailClosed;

    /// <summary><see cref="RetryAfter"/> in whole seconds, rounded up, at least 1: the <c>Retry-After</c> header value.</summary>
    public long RetryAfterSeconds => RetryAfterHeader.Seconds(RetryAfter);
}

/// <summary>A lockout's state for one partition.</summary>
/// <param name="IsLocked">Whether the partition is locked now.</param>
/// <param name="LockedUntil">Until when, when locked.</param>
/// <param name="Source">Where the state came from.</param>
public readonly record struct LockoutStatus(bool IsLocked, DateTimeOffset? LockedUntil, RateLimitSource Source)
{
    /// <summary>Locked because Redis is unavailable and the configured behaviour is to fail closed.</summary>
    public bool IsUnavailable => IsLocked && Source == RateLimitSource.FailClosed;

    /// <summary>Time left on the lock relative to <paramref name="now"/> (zero when not locked).</summary>
    public TimeSpan Remaining(DateTimeOffset now) => LockedUntil is { } until && until > now ? until - now : TimeSpan.Zero;
}

/// <summary>
/// Rate limits and failure lockouts shared by every replica through Redis (one atomic Lua script per decision),
/// with the configured behaviour when Redis is unavailable (<see cref="RateLimitingOptions.OnRedisUnavailable"/>).
/// Never throws for a Redis failure. Time comes from the application's <see cref="TimeProvider"/>.
/// </summary>
public interface IDistributedRateLimiter
{
    /// <summary>Charges every limit in <paramref name="requests"/> atomically: either all are charged one permit, or none is
    /// (the request is refused by the limit that would make it wait longest).</summary>
    ValueTask<RateLimitDecision> AcquireAsync(IReadOnlyList<RateLimitRequest> requests, CancellationToken cancellationToken = default);

    /// <summary>Whether <paramref name="partition"/> of lockout <paramref name="limiter"/> is locked.</summary>
    ValueTask<LockoutStatus> GetLockoutAsync(string limiter, LockoutRule rule, string partition, CancellationToken cancellationToken = default);

    /// <summary>Counts a failure of <paramref name="partition"/>; says whether this failure locked it.</summary>
    ValueTask<LockoutFailureResult> RecordFailureAsync(string limiter, LockoutRule rule, string partition, CancellationToken cancellationToken = default);

    /// <summary>Forgets the partition's failures (after a success).</summary>
    ValueTask ResetFailuresAsync(string limiter, string partition, CancellationToken cancellationToken = default);
}

/// <summary>The result of counting a failure.</summary>
/// <param name="LockedByThisFailure">This failure reached the threshold and locked the partition.</param>
/// <param name="LockedUntil">Until when the partition is locked, when it is.</param>
public readonly record struct LockoutFailureResult(bool LockedByThisFailure, DateTimeOffset? LockedUntil);

/// <summary>The <c>Retry-After</c> header (RFC 9110 §10.2.3) in delay-seconds.</summary>
public static class RetryAfterHeader
{
    /// <summary>Whole seconds, rounded up, at least 1.</summary>
    public static long Seconds(TimeSpan delay) => Math.Max(1, (long)Math.Ceiling(delay.TotalSeconds));
}
