using Microsoft.Extensions.Options;
using Reference.Gateway.Authentication;

namespace Reference.Gateway.Tenancy;

/// <summary>A tenant check's verdict: the tenant (or none, when the route needs none), or an error to answer.</summary>
internal sealed record TenantDecision(ResolvedTenant? Tenant, int StatusCode = 0, string? Error = null, string? Description = null)
{
    public bool IsFailure => Error is not null;
}

/// <summary>
/// Applies the tenancy rules after authentication. The registry checks run when the route requires a tenant
/// (<c>Tenant.Required</c> or <c>Auth.Tenants</c>) or when the request itself names one (host, path or header);
/// a tenant known only from the token's claim on a route that needs none is not checked.
/// <list type="bullet">
/// <item>required but unresolvable (or several header values): 400 <c>tenant_not_identified</c>;</item>
/// <item>not in the registry: 404 <c>tenant_not_found</c>; suspended: 403 <c>tenant_suspended</c>;</item>
/// <item>not in the route's <c>Auth.Tenants</c>: 403 <c>tenant_not_allowed</c>;</item>
/// <item>the caller's token is for another tenant, carries no tenant, or comes from an issuer other than the tenant's
/// own: 403 <c>tenant_mismatch</c>, a security event log and the <c>gateway.tenant.mismatches</c> metric.</item>
/// </list>
/// </summary>
internal sealed class TenantPolicyEnforcer(
    TenantResolver resolver,
    IOptionsMonitor<TenancyOptions> options,
    GatewayTelemetry telemetry,
    ILogger<TenantPolicyEnforcer> logger)
{
    public const string NotIdentified = "tenant_not_identified";
    public const string NotFound = "tenant_not_found";
    public const string SuspendedError = "tenant_suspended";
    public const string NotAllowed = "tenant_not_allowed";
    public const string Mismatch = "tenant_mismatch";

    public TenantDecision Enforce(HttpContext context, string routeId, RouteAuthenticationPolicy policy, AuthenticatedCaller? caller)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var resolution = resolver.Resolve(context, caller);
        if (resolution.Status == TenantResolutionStatus.Ambiguous)
        {
            TenancyLog.NotIdentified(logger, routeId, "several tenant header values");
            return Fail(StatusCodes.Status400BadRequest, NotIdentified, "The request names its tenant more than once.");
        }

        if (resolution.Status == TenantResolutionStatus.None)
        {
            if (!policy.TenantRequired)
            {
                return new TenantDecision(null);
            }

            TenancyLog.NotIdentified(logger, routeId, "no source named a tenant");
            return Fail(StatusCodes.Status400BadRequest, NotIdentified, "The request does not identify a tenant.");
        }

        var source = resolution.Source!.Value;
        if (source == TenantSource.Claim && !policy.TenantRequired)
        {
            return new TenantDecision(null);
        }

        var tenantId = resolution.TenantId!;
        if (!TenantId.IsValid(tenantId) || !options.CurrentValue.Tenants.TryGetValue(tenantId, out var tenant))
        {
            TenancyLog.NotFound(logger, routeId, source);
            return Fail(StatusCodes.Status404NotFound, NotFound, "The tenant does not exist.");
        }

        if (tenant.Suspended)
        {
            TenancyLog.Suspended(logger, routeId, tenantId);
            return Fail(StatusCodes.Status403Forbidden, SuspendedError, "The tenant is suspended.");
        }

        if (policy.AllowedTenants.Count > 0 && !policy.AllowedTenants.Contains(tenantId))
        {
            TenancyLog.NotAllowed(logger, routeId, tenantId);
            return Fail(StatusCodes.Status403Forbidden, NotAllowed, "The tenant may not use this route.");
        }

        if (caller is not null)
        {
            string? reason = null;
            if (!string.Equals(caller.TenantId, tenantId, StringComparison.Ordinal))
            {
                reason = caller.TenantId is null ? "token_without_tenant" : "token_tenant";
            }
            else if (tenant.Issuer is { } issuer && !string.Equals(caller.Issuer, issuer, StringComparison.Ordinal))
            {
                reason = "issuer";
            }

            if (reason is not null)
            {
                telemetry.RecordTenantMismatch(reason);
                TenancyLog.Mismatch(logger, routeId, tenantId, source, caller.TokenHash, caller.Subject, caller.Issuer, caller.TenantId, reason);
                return Fail(StatusCodes.Status403Forbidden, Mismatch, "The credentials do not belong to the request's tenant.");
            }
        }

        return new TenantDecision(new ResolvedTenant(tenantId, tenant.DisplayName, tenant.Plan, source));
    }

    private static TenantDecision Fail(int status, string error, string description) => new(null, status, error, description);
}
