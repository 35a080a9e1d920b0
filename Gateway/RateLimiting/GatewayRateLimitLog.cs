namespace Reference.Gateway.RateLimiting;

internal static partial class GatewayRateLimitLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "Rate limited by {Limiter}: client {ClientId}, tenant {TenantId}; retry after {RetryAfterSeconds} s")]
    public static partial void Limited(ILogger logger, string limiter, string? clientId, string? tenantId, long retryAfterSeconds);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Error, Message = "Rate limiting unavailable (Redis down, fail closed): request of client {ClientId} refused with 503")]
    public static partial void Unavailable(ILogger logger, string? clientId);
}
