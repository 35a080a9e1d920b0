namespace Reference.IdentityProvider.Stores.RefreshTokens;

/// <summary>
/// What a refresh token stands for, stored under the SHA-256 of its handle. Every rotation starts a new token in the
/// same family; <see cref="FamilyExpiresAt"/> (absolute) caps <see cref="ExpiresAt"/> (sliding).
/// </summary>
internal sealed record RefreshToken(
    string FamilyId,
    string ClientId,
    string SubjectId,
    string? SessionId,
    IReadOnlyList<string> Scopes,
    DateTimeOffset AuthTime,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset FamilyExpiresAt);

/// <summary>A stored refresh token, its key hash, and whether it has already been rotated (used).</summary>
internal sealed record RefreshTokenEntry(string Hash, RefreshToken Token, bool Used);

internal enum RefreshTokenRotationStatus
{
    Rotated,

    /// <summary>The token was already used: a replay, so the family must be revoked.</summary>
    Reused,

    /// <summary>The token or its family no longer exists (revoked or expired).</summary>
    NotFound,
}
