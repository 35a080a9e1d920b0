using Microsoft.Extensions.Logging;

namespace Reference.ServiceDefaults.RateLimiting;

internal static partial class RateLimitingLog
{
    [LoggerMessage(EventId = 9100, Level = LogLevel.Warning,
        Message = "Rate limiting: Redis unavailable during {Operation}; deciding with {Behavior} and skipping Redis for {RetryInterval}")]
    public static partial void RedisUnavailable(ILogger logger, string operation, RedisUnavailableBehavior behavior, TimeSpan retryInterval, Exception exception);

    [LoggerMessage(EventId = 9101, Level = LogLevel.Information, Message = "Rate limiting: Redis answers again; shared budgets resumed")]
    public static partial void RedisRecovered(ILogger logger);
}
