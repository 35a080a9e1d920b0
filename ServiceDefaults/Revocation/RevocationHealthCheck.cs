using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Reference.ServiceDefaults.Revocation;

/// <summary>
/// Readiness (<c>revocations</c>): Healthy once the denylist caught up and while the subscription is up; Degraded while
/// it is not (what was learnt is still applied); Unhealthy once <see cref="RevocationOptions.FailClosedAfter"/> has
/// passed unsynchronized (requests are then refused) or after the denylist had to drop live entries.
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

        var age = timeProvider.GetUtcNow() - since;
        return Task.FromResult(options.Value.FailClosedAfter is { } budget && age >= budget
            ? HealthCheckResult.Unhealthy($"Revocations unsynchronized for {age.TotalSeconds:F0} s (Revocation:FailClosedAfter {budget}); tokens are refused.")
            : HealthCheckResult.Degraded($"Revocations unsynchronized for {age.TotalSeconds:F0} s; the {denylist.Count} held are applied, the rest is learnt on reconnect."));
    }
}
