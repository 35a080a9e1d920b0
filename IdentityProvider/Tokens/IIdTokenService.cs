using Reference.IdentityProvider.Stores;
using Reference.IdentityProvider.Stores.Users;

namespace Reference.IdentityProvider.Tokens;

/// <summary>OpenID Connect ID tokens (Core §2, §3.1.3.6): signed RS256, <c>aud</c> = the client, <c>nonce</c>,
/// <c>auth_time</c>, <c>sid</c>, <c>at_hash</c>, and profile/email claims as the scopes allow.</summary>
internal interface IIdTokenService
{
    ValueTask<string> CreateAsync(IdTokenRequest request, CancellationToken cancellationToken);
}

/// <summary>What an ID token is issued for. <see cref="AccessToken"/> (for <c>at_hash</c>) is a bearer credential.</summary>
internal sealed record IdTokenRequest(
    Client Client,
    User User,
    IReadOnlyList<string> Scopes,
    string? Nonce,
    DateTimeOffset AuthTime,
    string SessionId,
    string? AccessToken);
