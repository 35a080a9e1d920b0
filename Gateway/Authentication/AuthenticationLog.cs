using Reference.ServiceDefaults.Revocation;

namespace Reference.Gateway.Authentication;

/// <summary>Authentication log messages (event ids 2000-2099). Tokens are never logged: only a short SHA-256 prefix.</summary>
internal static partial class AuthenticationLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Route {RouteId}: request without bearer credentials.")]
    public static partial void MissingToken(ILogger logger, string routeId);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Route {RouteId}: invalid request: {Problem}")]
    public static partial void InvalidRequest(ILogger logger, string routeId, string problem);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Route {RouteId}: scheme {Scheme} rejected credentials (token {TokenHash}): {Reason} ({StatusCode}).")]
    public static partial void Rejected(ILogger logger, string routeId, string scheme, string tokenHash, string reason, int statusCode);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Route {RouteId}: token {TokenHash} of client {ClientId} lacks scopes {RequiredScopes}.")]
    public static partial void InsufficientScope(ILogger logger, string routeId, string tokenHash, string? clientId, string requiredScopes);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Debug, Message = "Route {RouteId}: scheme {Scheme} authenticated subject {Subject} (token {TokenHash}).")]
    public static partial void Authenticated(ILogger logger, string routeId, string scheme, string tokenHash, string subject);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "Route {RouteId}: scheme {Scheme} failed; answering 503.")]
    public static partial void SchemeFailed(ILogger logger, string routeId, string scheme, Exception exception);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Route {RouteId}: scheme {Scheme} credentials (token {TokenHash}) of subject {Subject} are revoked: {Status}.")]
    public static partial void Revoked(ILogger logger, string routeId, string scheme, string tokenHash, string subject, RevocationStatus status);
}
