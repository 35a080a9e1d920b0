namespace Reference.IdentityProvider.Validation.TokenExchange;

/// <summary>Token-exchange events: client ids, subjects of actors and reasons only, never a token.</summary>
internal static partial class TokenExchangeLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Token exchange by client {ClientId}: the {Parameter} was rejected ({Reason})")]
    public static partial void TokenRejected(ILogger logger, string clientId, string parameter, string? reason);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Token exchange by client {ClientId}: actor {Actor} is not allowed by the subject token's may_act")]
    public static partial void MayActMismatch(ILogger logger, string clientId, string actor);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Token exchange by client {ClientId}: {Mode} for audience '{Audience}', actor {Actor}")]
    public static partial void Exchanged(ILogger logger, string clientId, string mode, string audience, string actor);
}
