namespace Reference.IdentityProvider.Options;

/// <summary>Configuration section <c>IdentityProvider:Clients:{clientId}</c>.</summary>
internal sealed class ClientOptions
{
    public string? Description { get; set; }

    /// <summary><c>sha256:&lt;base64 of SHA-256 over the UTF-8 secret&gt;</c>; the secret itself is never configured.
    /// Several values allow a secret to be rotated without downtime.</summary>
    public List<string> SecretHashes { get; } = [];

    public List<string> AllowedGrantTypes { get; } = [];

    public List<string> AllowedScopes { get; } = [];

    /// <summary>Extra claims copied into every access token issued to the client (e.g. <c>tenant_id</c>).</summary>
    public Dictionary<string, string> Claims { get; } = new(StringComparer.Ordinal);

    /// <summary>Overrides <see cref="IdentityProviderOptions.AccessTokenLifetime"/> for this client.</summary>
    public TimeSpan? AccessTokenLifetime { get; set; }

    // Authorization code flow (user-facing clients).

    /// <summary>Exact redirect URIs (RFC 9700 §4.1.3: no wildcards, no partial matching).</summary>
    public List<string> RedirectUris { get; } = [];

    /// <summary>Exact URIs RP-initiated logout may return to.</summary>
    public List<string> PostLogoutRedirectUris { get; } = [];

    /// <summary>OIDC Back-Channel Logout 1.0 <c>backchannel_logout_uri</c>; the IdP POSTs a logout token here.</summary>
    public string? BackChannelLogoutUri { get; set; }

    /// <summary>A public client (SPA, native app) has no secret: <c>token_endpoint_auth_method</c> <c>none</c>,
    /// authorization code + PKCE only.</summary>
    public bool IsPublic { get; set; }

    /// <summary>Tenants whose users may sign in to this client; empty means every tenant.</summary>
    public List<string> AllowedTenants { get; } = [];

    /// <summary>Whether the client may ask for <c>offline_access</c> (refresh tokens).</summary>
    public bool AllowOfflineAccess { get; set; }

    /// <summary>Sliding refresh-token lifetime: each use extends the family by this much, up to the absolute lifetime.</summary>
    public TimeSpan RefreshTokenSlidingLifetime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Absolute refresh-token lifetime, counted from the original authentication.</summary>
    public TimeSpan RefreshTokenAbsoluteLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary><c>Jwt</c> (default) or <c>Reference</c>: a 256-bit opaque handle stored hashed in Redis.</summary>
    public string AccessTokenType { get; set; } = "Jwt";

    /// <summary>Public keys for <c>private_key_jwt</c> (RFC 7523): a JWKS document as JSON.</summary>
    public string? JsonWebKeySet { get; set; }

    /// <summary>RFC 8693 token-exchange policy; absent means the client may not exchange tokens.</summary>
    public TokenExchangePolicyOptions? TokenExchange { get; set; }

    /// <summary>Whether this confidential client may call <c>POST /connect/revocation/subject</c> (revoke every token
    /// of a user). Default false; an administrative privilege.</summary>
    public bool AllowSubjectRevocation { get; set; }
}

/// <summary>Configuration section <c>IdentityProvider:Clients:{clientId}:TokenExchange</c>.</summary>
internal sealed class TokenExchangePolicyOptions
{
    /// <summary>API resource names (audiences) the client may request.</summary>
    public List<string> AllowedAudiences { get; } = [];

    /// <summary>Whether the client may impersonate (a token without <c>act</c>); otherwise delegation only.</summary>
    public bool AllowImpersonation { get; set; }

    /// <summary>Longest lifetime of an exchanged token; never longer than the subject token's remaining lifetime.</summary>
    public TimeSpan MaxTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Per allowed audience, scopes of <em>other</em> API resources the client may additionally request in a token for
    /// that audience, so the service holding it can delegate onward (e.g. <c>orders-api: [inventory.read]</c>: the
    /// gateway's token for Orders.Api may carry inventory.read, which Orders.Api can only use by exchanging it for an
    /// Inventory.Api token). Only when requested explicitly; still narrowed to the subject token's scopes and the
    /// client's AllowedScopes.
    /// </summary>
    public Dictionary<string, List<string>> DelegationScopes { get; } = new(StringComparer.Ordinal);
}
