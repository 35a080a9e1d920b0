namespace Reference.ServiceDefaults.InternalTokens;

/// <summary>
/// How a service verifies the gateway's internal tokens (configuration section <c>InternalTokens</c>).
/// </summary>
public sealed class InternalTokenOptions
{
    /// <summary>The configuration section: <c>InternalTokens</c>.</summary>
    public const string SectionName = "InternalTokens";

    /// <summary>The exact <c>iss</c> of accepted tokens (<c>InternalTokens:Issuer</c>); default <c>urn:reference:gateway</c>.</summary>
    public string Issuer { get; set; } = "urn:reference:gateway";

    /// <summary>This service's identifier, required in <c>aud</c> (<c>InternalTokens:Audience</c>, e.g. <c>orders-api</c>). Required.</summary>
    public string Audience { get; set; } = string.Empty;

    /// <summary>
    /// Where the gateway publishes its public keys (<c>InternalTokens:JwksUri</c>); a logical host such as
    /// <c>http://gateway</c> is resolved by service discovery. Default <c>http://gateway/.well-known/internal-jwks.json</c>.
    /// </summary>
    public Uri JwksUri { get; set; } = new("http://gateway/.well-known/internal-jwks.json");

    /// <summary>Tolerance on <c>exp</c>, <c>nbf</c> and <c>iat</c> (<c>InternalTokens:ClockSkew</c>); default 30 s, at most 5 min.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long fetched keys are used before they are fetched again (<c>InternalTokens:JwksRefreshInterval</c>);
    /// default 5 min. If a refresh fails, the cached keys stay in use (the gateway may be restarting) and
    /// the failure is logged: a compromised key is therefore trusted until the gateway serves a new set.
    /// </summary>
    public TimeSpan JwksRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest accepted token, in characters (<c>InternalTokens:MaxTokenLength</c>); default 8192.</summary>
    public int MaxTokenLength { get; set; } = 8192;

    /// <summary>
    /// Other issuers whose access tokens this service accepts for its own audience
    /// (<c>InternalTokens:TrustedIssuers:{name}</c>), e.g. the IdentityProvider's RFC 8693 exchanged tokens.
    /// A token is verified only with the keys of the issuer named in its <c>iss</c>.
    /// </summary>
    public Dictionary<string, TrustedIssuerOptions> TrustedIssuers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How many verified tokens are remembered by SHA-256 (<c>InternalTokens:ValidatedTokenCacheSize</c>); default 10000, 0 disables.</summary>
    public int ValidatedTokenCacheSize { get; set; } = 10_000;
}

/// <summary>An issuer of access tokens trusted besides the gateway (<c>InternalTokens:TrustedIssuers:{name}</c>).</summary>
public sealed class TrustedIssuerOptions
{
    /// <summary>The exact <c>iss</c>; optional when <see cref="MetadataAddress"/> is set (then the discovery document's <c>issuer</c>).</summary>
    public string? Issuer { get; set; }

    /// <summary>The issuer's JWKS; optional when <see cref="MetadataAddress"/> is set (then its <c>jwks_uri</c>).</summary>
    public Uri? JwksUri { get; set; }

    /// <summary>The issuer's OpenID discovery document, e.g. <c>http://identity/.well-known/openid-configuration</c>.</summary>
    public Uri? MetadataAddress { get; set; }

    /// <summary>The pinned signing algorithms (RS256, PS256, ES256); default RS256 and ES256.</summary>
    public List<string> Algorithms { get; set; } = [];

    /// <summary>
    /// Accept only exchanged (delegated) tokens, i.e. with an <c>act</c> claim (<c>RequireActor</c>); default true,
    /// so a user's raw IdP token sent straight to the service (bypassing the gateway) is refused. Set false for a
    /// service behind a gateway route in pass-through mode.
    /// </summary>
    public bool RequireActor { get; set; } = true;

    /// <summary>The only accepted JOSE <c>typ</c>; default <c>at+jwt</c> (RFC 9068).</summary>
    public string TokenType { get; set; } = "at+jwt";
}
