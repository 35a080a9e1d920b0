namespace Reference.IdentityProvider.Endpoints;

/// <summary>Token endpoint events. Client ids, grant types, scopes and token ids only: never a secret or a token.</summary>
internal static partial class TokenEndpointLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Issued {Algorithm} access token {TokenId} (kid {KeyId}) to client {ClientId} for grant {GrantType}, scope '{Scope}', expiring {ExpiresAt:O}")]
    public static partial void TokenIssued(ILogger logger, string clientId, string grantType, string scope, string tokenId, string algorithm, string keyId, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Token request rejected with {Error} for client {ClientId}: {ErrorDescription}")]
    public static partial void TokenRequestRejected(ILogger logger, string error, string? clientId, string? errorDescription);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Client authentication failed with {Error} (presented client id {ClientId}, method {Method}): {ErrorDescription}")]
    public static partial void ClientAuthenticationFailed(ILogger logger, string error, string? clientId, string method, string? errorDescription);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Token request of client {ClientId} rate limited; retry after {RetryAfterSeconds} s")]
    public static partial void RateLimited(ILogger logger, string clientId, long retryAfterSeconds);
}
