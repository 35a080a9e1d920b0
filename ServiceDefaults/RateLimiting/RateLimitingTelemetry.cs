using System.Diagnostics.Metrics;

namespace Reference.ServiceDefaults.RateLimiting;

/// <summary>
/// The limiter's metrics (Meter <c>Reference.RateLimiting</c>): <c>ratelimit.decisions</c> by <c>limiter</c> and
/// <c>outcome</c> (allowed, denied, unavailable, locked) and <c>ratelimit.redis_fallbacks</c> by <c>behavior</c>
/// (decisions taken without Redis).
/// </summary>
internal sealed class RateLimitingTelemetry
{
    public const string MeterName = "Reference.RateLimiting";
    public const string DecisionsName = "ratelimit.decisions";
    public const string FallbacksName = "ratelimit.redis_fallbacks";

    private readonly Counter<long> _decisions;
    private readonly Counter<long> _fallbacks;

    public RateLimitingTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _decisions = meter.CreateCounter<long>(DecisionsName, description: "Rate-limit and lockout decisions, by limiter and outcome.");
        _fallbacks = meter.CreateCounter<long>(FallbacksName, description: "Decisions taken without Redis, by the configured behaviour.");
    }

    public void Decision(string limiter, string outcome) =>
        _decisions.Add(1, new KeyValuePair<string, object?>("limiter", limiter), new KeyValuePair<string, object?>("outcome", outcome));

    public void Fallback(RedisUnavailableBehavior behavior) =>
        _fallbacks.Add(1, new KeyValuePair<string, object?>("behavior", behavior switch
        {
            RedisUnavailableBehavior.FailOpen => "fail_open",
            RedisUnavailableBehavior.FailClosed => "fail_closed",
            _ => "local",
        }));
}
