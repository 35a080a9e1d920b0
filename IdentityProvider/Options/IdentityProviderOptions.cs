namespace Reference.IdentityProvider.Options;

/// <summary>Configuration section <c>IdentityProvider</c>.</summary>
internal sealed class IdentityProviderOptions
{
    public const string SectionName = "IdentityProvider";

    /// <summary>Absolute http(s) URL without trailing slash, query or fragment; the <c>iss</c> of every token and the
    /// base of every URL in the discovery document (never derived from the request's Host header).</summary>
    public string? Issuer { get; set; }

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Folder for generated data (signing keys), relative to the content root unless absolute.</summary>
    public string DataPath { get; set; } = ".data";

    /// <summary>Prefix of every Redis key the IdentityProvider writes (codes, refresh and reference tokens,
    /// revocations, lockouts, replay caches); lets several deployments, or tests, share one Redis.</summary>
    public string KeyPrefix { get; set; } = "idp:";

    /// <summary>API resources keyed by name; a resource's name is the <c>aud</c> value of tokens that carry one of its scopes.</summary>
    public Dictionary<string, ApiResourceOptions> ApiResources { get; } = new(StringComparer.Ordinal);

    /// <summary>Signing-key rotation (<c>IdentityProvider:KeyRotation</c>).</summary>
    public KeyRotationOptions KeyRotation { get; } = new();

    /// <summary>Clients keyed by client id.</summary>
    public Dictionary<string, ClientOptions> Clients { get; } = new(StringComparer.Ordinal);

    /// <summary>Users keyed by username (matched case-insensitively after trimming).</summary>
    public Dictionary<string, UserOptions> Users { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Tenants keyed by id (the <c>tenant_id</c> claim).</summary>
    public Dictionary<string, TenantOptions> Tenants { get; } = new(StringComparer.Ordinal);

    /// <summary>A JSON file merged under the configuration (configuration wins), relative to the content root
    /// unless absolute. The shipped one holds DEV-ONLY demo users and tenants, never password hashes.</summary>
    public string SeedFile { get; set; } = "seed/dev-seed.json";

    /// <summary>Lifetime of ID tokens (OIDC Core §2 <c>exp</c>).</summary>
    public TimeSpan IdTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an IdP login session (the <c>__Host-idp.session</c> cookie) lasts.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>The lowest PBKDF2 iteration count a configured password hash may carry (OWASP: 210,000 and more for
    /// PBKDF2-HMAC-SHA256 is the floor in production; tests lower it to keep hashing fast).</summary>
    public int MinimumPasswordHashIterations { get; set; } = 210_000;
}
