using System.Text.Json.Serialization;

namespace Reference.Gateway.Authentication.Sessions;

/// <summary>
/// A browser session, stored in Redis under the SHA-256 of its id. Holds the tokens server-side: the browser never
/// sees them. Expiry instants are checked against the gateway's clock; the Redis TTL only collects garbage.
/// </summary>
internal sealed record SessionRecord
{
    [JsonPropertyName("sub")]
    public required string Subject { get; init; }

    [JsonPropertyName("sid")]
    public string? Sid { get; init; }

    [JsonPropertyName("iss")]
    public required string Issuer { get; init; }

    [JsonPropertyName("client_id")]
    public string? ClientId { get; init; }

    [JsonPropertyName("id_token")]
    public required string IdToken { get; init; }

    [JsonPropertyName("access_token")]
    public required string AccessToken { get; init; }

    /// <summary>The access token's <c>jti</c>, so a revoked access token stops the session's requests.</summary>
    [JsonPropertyName("access_token_jti")]
    public string? AccessTokenId { get; init; }

    [JsonPropertyName("refresh_token")]
    public string? RefreshToken { get; init; }

    [JsonPropertyName("access_token_expires_at")]
    public required DateTimeOffset AccessTokenExpiresAt { get; init; }

    [JsonPropertyName("scopes")]
    public IReadOnlyList<string> Scopes { get; init; } = [];

    [JsonPropertyName("tenant_id")]
    public string? TenantId { get; init; }

    [JsonPropertyName("email")]
    public string? Email { get; init; }

    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("roles")]
    public IReadOnlyList<string> Roles { get; init; } = [];

    [JsonPropertyName("created_at")]
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The last activity that extended the sliding window.</summary>
    [JsonPropertyName("last_seen_at")]
    public required DateTimeOffset LastSeenAt { get; init; }

    [JsonPropertyName("absolute_expires_at")]
    public required DateTimeOffset AbsoluteExpiresAt { get; init; }

    public DateTimeOffset ExpiresAt(TimeSpan slidingExpiration)
    {
        var sliding = LastSeenAt + slidingExpiration;
        return sliding < AbsoluteExpiresAt ? sliding : AbsoluteExpiresAt;
    }
}

/// <summary>What /bff/login remembers until /bff/callback: single use, keyed by <c>state</c>.</summary>
internal sealed record LoginState
{
    [JsonPropertyName("code_verifier")]
    public required string CodeVerifier { get; init; }

    [JsonPropertyName("nonce")]
    public required string Nonce { get; init; }

    [JsonPropertyName("redirect_uri")]
    public required string RedirectUri { get; init; }

    [JsonPropertyName("return_url")]
    public required string ReturnUrl { get; init; }

    [JsonPropertyName("expires_at")]
    public required DateTimeOffset ExpiresAt { get; init; }
}
