using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Reference.ServiceDefaults.Revocation;

/// <summary>
/// Readiness (<c>revocations</c>): Healthy, unless <see cref="RevocationOptions.FailClosedAfter"/> is set and the denylist
/// is unsynchronized (Degraded, then Unhealthy once the budget has passed and requests are refused), or the denylist
/// had to drop live entries (Degraded). Without the budget an unsynchronized denylist (logged, in metrics) keeps the
/// instance ready: requests are served with what it holds, as they are without Redis.
/// </summary>
internal sealed class RevocationHealthCheck(RevocationDenylist denylist, IOptions<RevocationOptions> options, TimeProvider timeProvider) : IHealthCheck
{
    public const string Name = "revocations";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (denylist.Dropped > 0)
        {
            return Task.FromResult(HealthCheckResult.Degraded($"The denylist was full and dropped {denylist.Dropped} live entries; raise Revocation:MaxEntries."));
        }

        if (denylist.UnsynchronizedSince is not { } since)
        {
            return Task.FromResult(HealthCheckResult.Healthy($"Subscribed and caught up; {denylist.Count} revocations held."));
        }

        // Without Revocation:FailClosedAfter requests keep being served from what the denylist holds, so an
        // unsynchronized denylist must not take the instance out of the load balancer (as Redis itself does not).
        var age = timeProvider.GetUtcNow() - since;
        if (options.Value.FailClosedAfter is not { } budget)
        {
            return Task.FromResult(HealthCheckResult.Healthy($"Revocations unsynchronized for {age.TotalSeconds:F0} s; the {denylist.Count} held are applied, the rest is learnt on reconnect."));
        }

        return Task.FromResult(age >= budget
            ? HealthCheckResult.Unhealthy($"Revocations unsynchronized for {age.TotalSeconds:F0} s (Revocation:FailClosedAfter {budget}); tokens are refused.")
            : HealthCheckResult.Degraded($"Revocations unsynchronized for {age.TotalSeconds:F0} s; refused after {budget}."));
    }
}
