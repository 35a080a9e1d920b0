using System.Text.Json.Nodes;
using Reference.IdentityProvider.Stores;
using Reference.IdentityProvider.Stores.Users;

namespace Reference.IdentityProvider.Validation;

/// <summary>A token request that passed validation: who asked, for what, and which APIs the token is for.</summary>
/// <remarks>The positional members are common to every grant; each grant sets the optional ones it needs.</remarks>
internal sealed record ValidatedTokenRequest(
    Client Client,
    string GrantType,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<ApiResource> Resources)
{
    /// <summary>The user the token is about (authorization code, refresh, exchange of a user token); null when the
    /// client acts for itself.</summary>
    public User? User { get; init; }

    /// <summary>The <c>sub</c> when it is neither the client nor a <see cref="User"/> (e.g. an exchanged service token).</summary>
    public string? SubjectId { get; init; }

    /// <summary>The IdP session (<c>sid</c>) the grant descends from.</summary>
    public string? SessionId { get; init; }

    public DateTimeOffset? AuthTime { get; init; }

    /// <summary>Authorization code only: echoed in the ID token.</summary>
    public string? Nonce { get; init; }

    public bool IssueIdToken { get; init; }

    public bool IssueRefreshToken { get; init; }

    /// <summary>The refresh-token family this grant continues (refresh) or starts (authorization code).</summary>
    public string? RefreshTokenFamilyId { get; init; }

    /// <summary>The absolute expiry of the refresh-token family, when continuing one.</summary>
    public DateTimeOffset? RefreshTokenFamilyExpiresAt { get; init; }

    /// <summary>Token exchange: the <c>act</c> claim (delegation), already nested with prior actors.</summary>
    public JsonObject? Actor { get; init; }

    /// <summary>Token exchange: <c>issued_token_type</c> for the response.</summary>
    public string? IssuedTokenType { get; init; }

    /// <summary>An upper bound on the access token's expiry (e.g. the subject token's <c>exp</c>).</summary>
    public DateTimeOffset? ExpiresNoLaterThan { get; init; }

    /// <summary>Authorization code: the SHA-256 of the redeemed code, under which what is issued is recorded so that a
    /// replay of the code can revoke it.</summary>
    public string? AuthorizationCodeHash { get; init; }

    /// <summary>Refresh: the token being rotated (marked used atomically when the new one is issued).</summary>
    public Stores.RefreshTokens.RefreshTokenEntry? RefreshTokenToRotate { get; init; }

    /// <summary>Extra access-token claims (<c>tenant_id</c>, <c>roles</c>, <c>email</c>, …) the grant carries over.</summary>
    public IReadOnlyDictionary<string, object>? AdditionalClaims { get; init; }
}
