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
}
