namespace Reference.IdentityProvider.Tokens;

/// <summary>An issued access token. <see cref="Value"/> is a bearer credential: never log it.</summary>
internal sealed record AccessToken(string Value, string TokenId, string Algorithm, string KeyId, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt)
{
    public TimeSpan Lifetime => ExpiresAt - IssuedAt;
}
