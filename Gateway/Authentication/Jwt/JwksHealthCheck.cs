using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Reference.Gateway.Authentication.Jwt;

/// <summary>Readiness: the gateway cannot authenticate anyone until the issuer's keys are loaded.</summary>
internal sealed class JwksHealthCheck(JwksCache cache) : IHealthCheck
{
    public const string Name = "jwks";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(cache.HasKeys
            ? HealthCheckResult.Healthy("The issuer's signing keys are loaded.")
            : HealthCheckResult.Unhealthy("The issuer's signing keys are not loaded yet."));
}
