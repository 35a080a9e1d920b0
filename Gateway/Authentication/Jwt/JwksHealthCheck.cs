using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Reference.Gateway.Authentication.Jwt;

/// <summary>
/// Readiness (<c>jwks</c>): Unhealthy until every issuer's keys are loaded, and again while an issuer's keys are past
/// the maximum stale age (its tokens are then rejected); Healthy otherwise.
/// </summary>
internal sealed class JwksHealthCheck(JwksCacheRegistry caches) : IHealthCheck
{
    public const string Name = "jwks";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var empty = Names(caches, JwksCacheState.Empty);
        if (empty.Length > 0)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"Signing keys not loaded yet for issuer(s): {empty}."));
        }

        var expired = Names(caches, JwksCacheState.Expired);
        return Task.FromResult(expired.Length > 0
            ? HealthCheckResult.Unhealthy($"Signing keys past the maximum stale age for issuer(s): {expired}; their tokens are rejected.")
            : HealthCheckResult.Healthy("Every issuer's signing keys are loaded."));
    }

    internal static string Names(JwksCacheRegistry caches, JwksCacheState state) =>
        string.Join(", ", caches.All.Where(c => c.State == state).Select(c => c.Name));
}

/// <summary>
/// <c>jwks_stale</c>: Degraded while an issuer's keys are in use past their cache lifetime because refreshes fail
/// (the gateway still authenticates, but a key-compromise response is delayed); Healthy otherwise.
/// </summary>
internal sealed class JwksStalenessHealthCheck(JwksCacheRegistry caches) : IHealthCheck
{
    public const string Name = "jwks_stale";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var stale = JwksHealthCheck.Names(caches, JwksCacheState.Stale);
        return Task.FromResult(stale.Length > 0
            ? HealthCheckResult.Degraded($"Serving stale signing keys for issuer(s): {stale}.")
            : HealthCheckResult.Healthy("No issuer's keys are stale."));
    }
}
