namespace Reference.Orders.Api.Delegation;

internal static partial class DelegationLog
{
    [LoggerMessage(EventId = 6100, Level = LogLevel.Warning, Message = "Token exchange for subject token {TokenHash} failed: {Status} {Error}")]
    public static partial void ExchangeFailed(ILogger logger, string tokenHash, ExchangeStatus status, string? error);

    [LoggerMessage(EventId = 6101, Level = LogLevel.Debug, Message = "Delegated token (exchanged or cached) for subject token {TokenHash}, audience {Audience}")]
    public static partial void Exchanged(ILogger logger, string tokenHash, string audience);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Warning, Message = "Token-exchange circuit opened for {Seconds} s: the identity provider is unavailable")]
    public static partial void BreakerOpened(ILogger logger, double seconds);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Information, Message = "Token-exchange circuit closed: the identity provider answers again")]
    public static partial void BreakerClosed(ILogger logger);
}
