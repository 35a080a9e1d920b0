using Microsoft.Extensions.Logging;

namespace Reference.Redis.Connections;

/// <summary>The client's log messages. They name endpoints and commands, never keys, values or passwords.</summary>
internal static partial class RedisLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Redis {Role} connection to {EndPoint} established")]
    public static partial void Connected(ILogger logger, string role, string endPoint);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Redis {Role} connection to {EndPoint} failed; next attempt in {DelayMs} ms")]
    public static partial void ConnectFailed(ILogger logger, string role, string endPoint, long delayMs, Exception exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Redis {Role} connection to {EndPoint}: authentication failed (user {User}); next attempt in {DelayMs} ms")]
    public static partial void AuthenticationFailed(ILogger logger, string role, string endPoint, string user, long delayMs);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Redis {Role} connection to {EndPoint} lost ({Reason}); {InFlight} command(s) in flight failed")]
    public static partial void ConnectionLost(ILogger logger, string role, string endPoint, string reason, int inFlight, Exception exception);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Redis command {Command} to {EndPoint} timed out after {TimeoutMs} ms; resetting the connection")]
    public static partial void CommandTimedOut(ILogger logger, string command, string endPoint, long timeoutMs);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "A Redis subscription handler for channel {Channel} threw")]
    public static partial void HandlerFailed(ILogger logger, string channel, Exception exception);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Redis {Role} connection to {EndPoint}: resubscribing failed for {Channel}")]
    public static partial void ResubscribeFailed(ILogger logger, string role, string endPoint, string channel, Exception exception);
}
