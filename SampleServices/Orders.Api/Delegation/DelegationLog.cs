namespace Reference.Orders.Api.Delegation;

internal static partial class DelegationLog
{
    [LoggerMessage(EventId = 6100, Level = LogLevel.Warning, Message = "Token exchange for subject token {TokenHash} failed: {Status} {Error}")]
    public static partial void ExchangeFailed(ILogger logger, string tokenHash, ExchangeStatus status, string? error);

    [LoggerMessage(EventId = 6101, Level = LogLevel.Debug, Message = "Delegated token (exchanged or cached) for subject token {TokenHash}, audience {Audience}")]
    public static partial void Exchanged(ILogger logger, string tokenHash, string audience);
}
