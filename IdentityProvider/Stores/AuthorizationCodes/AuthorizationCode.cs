namespace Reference.IdentityProvider.Stores.AuthorizationCodes;

/// <summary>
/// What an authorization code stands for, stored in Redis under the SHA-256 of its handle: bound to the client, the
/// exact redirect URI and the PKCE challenge (S256 only), single-use, at most 60 seconds.
/// </summary>
internal sealed record AuthorizationCode(
    string ClientId,
    string RedirectUri,
    string CodeChallenge,
    IReadOnlyList<string> Scopes,
    string SubjectId,
    string SessionId,
    string? Nonce,
    DateTimeOffset AuthTime,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt);
