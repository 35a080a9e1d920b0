namespace Reference.IdentityProvider.Account;

/// <summary>Security events of the browser-facing IdentityProvider. Usernames appear only as a SHA-256 prefix;
/// passwords, session ids, codes and tokens never appear.</summary>
internal static partial class AccountLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Security event: failed login for username#{UsernameHash} ({Reason}).")]
    public static partial void LoginFailed(ILogger logger, string usernameHash, string reason);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Security event: username#{UsernameHash} locked out until {LockedUntil:O} after repeated failed logins.")]
    public static partial void LockedOut(ILogger logger, string usernameHash, DateTimeOffset lockedUntil);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning, Message = "Security event: client address {ClientAddress} locked out of login until {LockedUntil:O} after repeated failed logins.")]
    public static partial void AddressLockedOut(ILogger logger, string clientAddress, DateTimeOffset lockedUntil);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "Login of subject {SubjectId}: new session sid#{SessionHash}.")]
    public static partial void LoginSucceeded(ILogger logger, string subjectId, string sessionHash);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Error, Message = "Redis is unavailable; {Operation} failed closed with 503.")]
    public static partial void StoreUnavailable(ILogger logger, string operation, Exception exception);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Security event: rejected form post to {Path}: antiforgery validation failed.")]
    public static partial void AntiforgeryRejected(ILogger logger, string path);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "Logout of subject {SubjectId}, sid#{SessionHash}; back-channel notifications: {ClientCount}.")]
    public static partial void LoggedOut(ILogger logger, string subjectId, string sessionHash, int clientCount);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Warning, Message = "Back-channel logout to client {ClientId} failed: {Reason}.")]
    public static partial void BackChannelLogoutFailed(ILogger logger, string clientId, string reason);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Information, Message = "Back-channel logout delivered to client {ClientId} ({StatusCode}).")]
    public static partial void BackChannelLogoutDelivered(ILogger logger, string clientId, int statusCode);

    [LoggerMessage(EventId = 4020, Level = LogLevel.Information, Message = "Authorization request rejected: {Error} (client {ClientId}): {Description}")]
    public static partial void AuthorizeRejected(ILogger logger, string error, string? clientId, string description);

    [LoggerMessage(EventId = 4021, Level = LogLevel.Information, Message = "Authorization code issued to client {ClientId} for subject {SubjectId}.")]
    public static partial void CodeIssued(ILogger logger, string clientId, string subjectId);

    [LoggerMessage(EventId = 4030, Level = LogLevel.Information, Message = "Userinfo request rejected: {Error}: {Description}")]
    public static partial void UserInfoRejected(ILogger logger, string error, string description);

    [LoggerMessage(EventId = 4040, Level = LogLevel.Information, Message = "End-session request rejected: {Description}")]
    public static partial void EndSessionRejected(ILogger logger, string description);
}
