namespace Reference.IdentityProvider.Validation.TokenExchange;

/// <summary>Token-exchange events: client ids, subjects of actors and audiences only, never a token. Rejections are
/// security events (<see cref="SecurityEventLog"/>).</summary>
internal static partial class TokenExchangeLog
{
    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Token exchange by client {ClientId}: {Mode} for audience '{Audience}', actor {Actor}")]
    public static partial void Exchanged(ILogger logger, string clientId, string mode, string audience, string actor);
}
