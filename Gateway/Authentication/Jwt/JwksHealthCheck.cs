using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Reference.Gateway.Authentication.Jwt;

/// <summary>
/// Readiness: Unhealthy until every issuer's keys are loaded, and again when an issuer's keys are past the maximum
/// stale age (its tokens are then rejected); Degraded (<c>jwks_stale</c>) while stale keys are still in use.
/// </summary>
internal sealed class JwksHealthCheck(JwksCacheRegistry caches) : IHealthCheck
{
    public const string Name = "jwks";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var states = caches.All.ToDictionary(c => c.Name, c => c.State, StringComparer.Ordinal);
        var data = states.ToDictionary(s => s.Key, s => (object)s.Value.ToString(), StringComparer.Ordinal);
        string Names(JwksCacheState state) => string.Join(", ", states.Where(s => s.Value == state).Select(s => s.Key));

        if (states.ContainsValue(JwksCacheState.Empty))
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"Signing keys not loaded yet for issuer(s): {Names(JwksCacheState.Empty)}.", data: data));
        }

        if (states.ContainsValue(JwksCacheState.Expired))
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"jwks_expired: keys past the maximum stale age for issuer(s): {Names(JwksCacheState.Expired)}.", data: data));
        }

        if (states.ContainsValue(JwksCacheState.Stale))
        {
            return Task.FromResult(HealthCheckResult.Degraded($"jwks_stale: serving stale keys for issuer(s): {Names(JwksCacheState.Stale)}.", data: data));
        }

        return Task.FromResult(HealthCheckResult.Healthy("Every issuer's signing keys are loaded.", data));
    }
}
