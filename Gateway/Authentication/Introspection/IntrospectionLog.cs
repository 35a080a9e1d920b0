namespace Reference.Gateway.Authentication.Introspection;

/// <summary>Introspection log messages (event ids 2200-2249). Tokens and secrets are never logged: only a short SHA-256 prefix.</summary>
internal static partial class IntrospectionLog
{
    [LoggerMessage(EventId = 2200, Level = LogLevel.Warning, Message = "Introspection endpoint unavailable for token {TokenHash}: {Problem}")]
    public static partial void Unavailable(ILogger logger, string tokenHash, string problem);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Warning, Message = "Introspection unavailable: serving the cached result for token {TokenHash}, {AgeSeconds:F0} s old.")]
    public static partial void ServedStale(ILogger logger, string tokenHash, double ageSeconds);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "Introspection circuit breaker opened for {BreakSeconds:F0} s.")]
    public static partial void BreakerOpened(ILogger logger, double breakSeconds);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Information, Message = "Introspection circuit breaker closed.")]
    public static partial void BreakerClosed(ILogger logger);

    [LoggerMessage(EventId = 2204, Level = LogLevel.Information, Message = "Introspection circuit breaker half-open: probing the endpoint.")]
    public static partial void BreakerHalfOpen(ILogger logger);

    [LoggerMessage(EventId = 2205, Level = LogLevel.Debug, Message = "Token {TokenHash} introspected: {Outcome}.")]
    public static partial void Introspected(ILogger logger, string tokenHash, string outcome);

    [LoggerMessage(EventId = 2206, Level = LogLevel.Error, Message = "The introspection endpoint rejected the gateway's client credentials (HTTP {StatusCode}); check Gateway:Introspection:ClientId and ClientSecret.")]
    public static partial void ClientRejected(ILogger logger, int statusCode);
}
