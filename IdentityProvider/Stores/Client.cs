namespace Reference.IdentityProvider.Stores;

/// <summary>A registered confidential client.</summary>
internal sealed record Client(
    string ClientId,
    IReadOnlyList<byte[]> SecretHashes,
    IReadOnlySet<string> AllowedGrantTypes,
    IReadOnlyList<string> AllowedScopes,
    IReadOnlyDictionary<string, string> Claims,
    TimeSpan? AccessTokenLifetime);
