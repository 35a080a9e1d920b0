namespace Reference.Gateway.Tenancy;

/// <summary>Tenancy log messages (event ids 2400-2499). Tenant ids from the request are logged only once validated.</summary>
internal static partial class TenancyLog
{
    [LoggerMessage(EventId = 2400, Level = LogLevel.Information, Message = "Route {RouteId}: the request identifies no tenant ({Problem}).")]
    public static partial void NotIdentified(ILogger logger, string routeId, string problem);

    [LoggerMessage(EventId = 2401, Level = LogLevel.Information, Message = "Route {RouteId}: unknown tenant from {Source}.")]
    public static partial void NotFound(ILogger logger, string routeId, TenantSource source);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Warning, Message = "Route {RouteId}: tenant {TenantId} is suspended.")]
    public static partial void Suspended(ILogger logger, string routeId, string tenantId);

    [LoggerMessage(EventId = 2403, Level = LogLevel.Warning, Message = "SECURITY tenant_mismatch on route {RouteId}: request tenant {TenantId} (from {Source}), token {TokenHash} of subject {Subject} issued by {Issuer} for tenant {TokenTenant}; reason {Reason}.")]
    public static partial void Mismatch(ILogger logger, string routeId, string tenantId, TenantSource source, string tokenHash, string subject, string issuer, string? tokenTenant, string reason);

    [LoggerMessage(EventId = 2404, Level = LogLevel.Information, Message = "Route {RouteId}: tenant {TenantId} is not allowed on this route.")]
    public static partial void NotAllowed(ILogger logger, string routeId, string tenantId);
}
