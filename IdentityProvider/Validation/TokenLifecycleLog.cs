namespace Reference.IdentityProvider.Validation;

/// <summary>Security events of the token lifecycle (codes, refresh tokens, client assertions, introspection,
/// revocation). Only client ids, subject ids, family ids and short hash prefixes: never a token or a secret.</summary>
internal static partial class TokenLifecycleLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "SECURITY: authorization code {CodeHash} replayed by client {ClientId}; revoked refresh-token family {FamilyId} and {AccessTokenCount} access token(s) issued from it")]
    public static partial void CodeReplayed(ILogger logger, string codeHash, string clientId, string? familyId, int accessTokenCount);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "SECURITY: refresh token {TokenHash} of family {FamilyId} reused by client {ClientId}; revoked the family and {AccessTokenCount} access token(s)")]
    public static partial void RefreshTokenReused(ILogger logger, string tokenHash, string familyId, string clientId, int accessTokenCount);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "SECURITY: client {ClientId} presented a refresh token issued to another client ({OwnerClientId})")]
    public static partial void RefreshTokenOfAnotherClient(ILogger logger, string clientId, string ownerClientId);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning, Message = "SECURITY: client {ClientId} presented an authorization code issued to another client ({OwnerClientId})")]
    public static partial void CodeOfAnotherClient(ILogger logger, string clientId, string ownerClientId);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Warning, Message = "SECURITY: replayed client assertion (jti hash {JtiHash}) for client {ClientId}")]
    public static partial void ClientAssertionReplayed(ILogger logger, string clientId, string jtiHash);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Information, Message = "Refresh-token family {FamilyId} of client {ClientId} revoked by the client; {AccessTokenCount} access token(s) denied")]
    public static partial void FamilyRevoked(ILogger logger, string familyId, string clientId, int accessTokenCount);

    [LoggerMessage(EventId = 4107, Level = LogLevel.Information, Message = "Access token {TokenId} of client {ClientId} revoked by the client")]
    public static partial void AccessTokenRevoked(ILogger logger, string tokenId, string clientId);

    [LoggerMessage(EventId = 4108, Level = LogLevel.Warning, Message = "SECURITY: client {ClientId} tried to revoke a token of client {OwnerClientId}; ignored")]
    public static partial void ForeignRevocationIgnored(ILogger logger, string clientId, string ownerClientId);

    [LoggerMessage(EventId = 4109, Level = LogLevel.Warning, Message = "Operational storage (Redis) unavailable at {Endpoint}: answered temporarily_unavailable")]
    public static partial void StorageUnavailable(ILogger logger, string endpoint, Exception exception);

    [LoggerMessage(EventId = 4110, Level = LogLevel.Warning, Message = "Introspection caller authentication failed ({Error}): {ErrorDescription}")]
    public static partial void IntrospectionCallerRejected(ILogger logger, string error, string? errorDescription);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Warning, Message = "SECURITY: every token of subject {Subject} issued at or before {Instant} revoked by client {ClientId}")]
    public static partial void SubjectRevoked(ILogger logger, string subject, DateTimeOffset instant, string clientId);

    [LoggerMessage(EventId = 4112, Level = LogLevel.Warning, Message = "SECURITY: client {ClientId} is not allowed to revoke subjects; refused")]
    public static partial void SubjectRevocationRefused(ILogger logger, string clientId);
}
