namespace Reference.IdentityProvider.Stores;

/// <summary>A registered client. The positional members are what every grant needs; the rest are per-flow settings.</summary>
internal sealed record Client(
    string ClientId,
    IReadOnlyList<byte[]> SecretHashes,
    IReadOnlySet<string> AllowedGrantTypes,
    IReadOnlyList<string> AllowedScopes,
    IReadOnlyDictionary<string, string> Claims,
    TimeSpan? AccessTokenLifetime)
{
    public IReadOnlyList<string> RedirectUris { get; init; } = [];

    public IReadOnlyList<string> PostLogoutRedirectUris { get; init; } = [];

    public string? BackChannelLogoutUri { get; init; }

    public bool IsPublic { get; init; }

    /// <summary>Empty means every tenant.</summary>
    public IReadOnlySet<string> AllowedTenants { get; init; } = new HashSet<string>();

    public bool AllowOfflineAccess { get; init; }

    public TimeSpan RefreshTokenSlidingLifetime { get; init; } = TimeSpan.FromDays(1);

    public TimeSpan RefreshTokenAbsoluteLifetime { get; init; } = TimeSpan.FromDays(30);

    /// <summary>True when the client's access tokens are opaque reference tokens.</summary>
    public bool UsesReferenceTokens { get; init; }

    /// <summary>The <c>private_key_jwt</c> JWKS (JSON), when configured.</summary>
    public string? JsonWebKeySet { get; init; }

    public TokenExchangePolicy? TokenExchange { get; init; }

    /// <summary>Whether the client may revoke every token of a subject (<c>/connect/revocation/subject</c>).</summary>
    public bool AllowSubjectRevocation { get; init; }
}

/// <summary>What a client may do with RFC 8693 token exchange.</summary>
internal sealed record TokenExchangePolicy(IReadOnlySet<string> AllowedAudiences, bool AllowImpersonation, TimeSpan MaxTokenLifetime)
{
    /// <summary>Per audience, extra scopes of other APIs a token for it may carry for onward delegation (only when requested).</summary>
    public IReadOnlyDictionary<string, IReadOnlySet<string>> DelegationScopes { get; init; } = new Dictionary<string, IReadOnlySet<string>>();
}
