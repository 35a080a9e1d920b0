namespace Reference.IdentityProvider.Stores.AuthorizationCodes;

/// <summary>What the first redemption of a code issued: revoked when the code is replayed (RFC 6749 §4.1.2).</summary>
internal sealed record CodeGrant(string ClientId, string? RefreshTokenFamilyId, DateTimeOffset? FamilyExpiresAt, IReadOnlyList<IssuedAccessToken> AccessTokens);

internal sealed record IssuedAccessToken(string TokenId, DateTimeOffset ExpiresAt);
