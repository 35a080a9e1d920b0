namespace Reference.IdentityProvider.Options;

/// <summary>Configuration section <c>IdentityProvider:ApiResources:{name}</c>.</summary>
internal sealed class ApiResourceOptions
{
    public string? Description { get; set; }

    public List<string> Scopes { get; } = [];

    /// <summary><c>RS256</c> (default) or <c>ES256</c>.</summary>
    public string SigningAlgorithm { get; set; } = Keys.SigningAlgorithms.RS256;

    /// <summary>Secrets (<c>sha256:...</c>, as for clients) with which the resource authenticates at the introspection
    /// endpoint, using its name as the Basic user name; empty means the resource cannot introspect.</summary>
    public List<string> SecretHashes { get; } = [];

    /// <summary>Optional absolute URI that names this API as an RFC 8707 <c>resource</c> (token exchange).</summary>
    public string? Uri { get; set; }
}
