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
}
