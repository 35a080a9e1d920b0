namespace Reference.IdentityProvider.Stores;

/// <summary>An API that accepts access tokens; its name is the token's <c>aud</c> value.</summary>
internal sealed record ApiResource(string Name, IReadOnlyList<string> Scopes, string SigningAlgorithm)
{
    /// <summary>SHA-256 hashes of the secrets the resource introspects with; empty: it cannot introspect.</summary>
    public IReadOnlyList<byte[]> SecretHashes { get; init; } = [];

    /// <summary>The absolute URI a client may name as an RFC 8707 <c>resource</c> for this API.</summary>
    public string? Uri { get; init; }
}
