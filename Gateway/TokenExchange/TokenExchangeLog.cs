namespace Reference.Gateway.TokenExchange;

/// <summary>Token-exchange log messages (event ids 2400-2499). Never a token or secret: a short hash prefix at most.</summary>
internal static partial class TokenExchangeLog
{
    [LoggerMessage(EventId = 2400, Level = LogLevel.Warning, Message = "The IdP refused to exchange token {TokenHashPrefix} for audience {Audience}: {Error}.")]
    public static partial void Refused(ILogger logger, string tokenHashPrefix, string audience, string error);

    [LoggerMessage(EventId = 2401, Level = LogLevel.Warning, Message = "Token exchange for audience {Audience} is unavailable: {Reason}.")]
    public static partial void Unavailable(ILogger logger, string audience, string reason);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Error, Message = "The IdP rejected the gateway's client credentials (HTTP {StatusCode}); check Gateway:TokenExchange:ClientId and ClientSecret.")]
    public static partial void ClientRejected(ILogger logger, int statusCode);

    [LoggerMessage(EventId = 2403, Level = LogLevel.Warning, Message = "The token-exchange circuit opened for {BreakSeconds} s.")]
    public static partial void BreakerOpened(ILogger logger, double breakSeconds);

    [LoggerMessage(EventId = 2404, Level = LogLevel.Information, Message = "The token-exchange circuit closed.")]
    public static partial void BreakerClosed(ILogger logger);
}
