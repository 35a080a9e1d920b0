namespace Reference.Gateway.Authentication.Sessions;

/// <summary>Session and BFF log messages (event ids 2250-2299). Never a token, cookie or secret: only short hash prefixes.</summary>
internal static partial class SessionLog
{
    [LoggerMessage(EventId = 2250, Level = LogLevel.Information, Message = "Session {SessionHash} created for subject {Subject}.")]
    public static partial void SessionCreated(ILogger logger, string sessionHash, string subject);

    [LoggerMessage(EventId = 2251, Level = LogLevel.Information, Message = "Session {SessionHash} ended: {Reason}.")]
    public static partial void SessionEnded(ILogger logger, string sessionHash, string reason);

    [LoggerMessage(EventId = 2252, Level = LogLevel.Warning, Message = "Session store unavailable: {Problem}")]
    public static partial void StoreUnavailable(ILogger logger, string problem);

    [LoggerMessage(EventId = 2253, Level = LogLevel.Information, Message = "Session {SessionHash}: access token refreshed.")]
    public static partial void Refreshed(ILogger logger, string sessionHash);

    [LoggerMessage(EventId = 2254, Level = LogLevel.Warning, Message = "Session {SessionHash}: refresh failed: {Problem}")]
    public static partial void RefreshFailed(ILogger logger, string sessionHash, string problem);

    [LoggerMessage(EventId = 2255, Level = LogLevel.Warning, Message = "Login callback rejected: {Problem}")]
    public static partial void CallbackRejected(ILogger logger, string problem);

    [LoggerMessage(EventId = 2256, Level = LogLevel.Warning, Message = "Back-channel logout token rejected: {Problem}")]
    public static partial void LogoutTokenRejected(ILogger logger, string problem);

    [LoggerMessage(EventId = 2257, Level = LogLevel.Information, Message = "Back-channel logout (sid {Sid}, sub {Subject}): {Count} session(s) deleted.")]
    public static partial void BackChannelLogout(ILogger logger, string? sid, string? subject, long count);

    [LoggerMessage(EventId = 2258, Level = LogLevel.Warning, Message = "State-changing request on a cookie session without the anti-CSRF signal (Sec-Fetch-Site {FetchSite}).")]
    public static partial void CsrfRejected(ILogger logger, string fetchSite);

    [LoggerMessage(EventId = 2259, Level = LogLevel.Warning, Message = "The identity provider is unavailable: {Problem}")]
    public static partial void IdentityProviderUnavailable(ILogger logger, string problem);

    [LoggerMessage(EventId = 2260, Level = LogLevel.Information, Message = "Deleted {Count} sessions after a {Kind} revocation.")]
    public static partial void SessionsRevoked(ILogger logger, long count, Reference.ServiceDefaults.Revocation.RevocationKind kind);

    [LoggerMessage(EventId = 2261, Level = LogLevel.Warning, Message = "Deleting the sessions of a {Kind} revocation failed; the denylist still refuses them.")]
    public static partial void SessionRevocationFailed(ILogger logger, Reference.ServiceDefaults.Revocation.RevocationKind kind, Exception exception);
}
