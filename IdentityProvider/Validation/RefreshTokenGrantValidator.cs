using Reference.IdentityProvider.Stores;
using Reference.IdentityProvider.Stores.RefreshTokens;
using Reference.IdentityProvider.Stores.Revocations;
using Reference.IdentityProvider.Stores.Users;
using static Reference.IdentityProvider.OAuthConstants;

namespace Reference.IdentityProvider.Validation;

/// <summary>
/// <c>refresh_token</c> (RFC 6749 §6, RFC 9700 §4.14): the token must belong to the authenticating client, be unused
/// and unexpired (sliding expiry, capped by the family's absolute one); <c>scope</c> may only narrow. The token is
/// rotated when the response is issued; presenting one that was already rotated revokes its whole family.
/// </summary>
internal sealed class RefreshTokenGrantValidator(
    RedisRefreshTokenStore refreshTokens,
    IResourceStore resources,
    IUserStore users,
    TokenRevocations revocations,
    TimeProvider timeProvider,
    ILogger<RefreshTokenGrantValidator> logger) : IGrantValidator
{
    private const string InvalidToken = "The refresh token is invalid, expired, revoked, or was issued to another client.";

    public string GrantType => GrantTypes.RefreshToken;

    public async ValueTask<TokenRequestValidationResult> ValidateAsync(Client client, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(parameters);

        if (!parameters.TryGetValue(TokenRequestParameters.RefreshToken, out var handle))
        {
            return TokenRequestValidationResult.Failure(Errors.InvalidRequest, "refresh_token is required.");
        }

        var entry = await refreshTokens.FindAsync(handle, cancellationToken);
        if (entry is null)
        {
            return TokenRequestValidationResult.Failure(Errors.InvalidGrant, InvalidToken);
        }

        var token = entry.Token;
        if (!string.Equals(token.ClientId, client.ClientId, StringComparison.Ordinal))
        {
            TokenLifecycleLog.RefreshTokenOfAnotherClient(logger, client.ClientId, token.ClientId);
            return TokenRequestValidationResult.Failure(Errors.InvalidGrant, InvalidToken);
        }

        if (!client.AllowOfflineAccess)
        {
            return TokenRequestValidationResult.Failure(Errors.InvalidGrant, "The client may no longer use refresh tokens.");
        }

        if (entry.Used)
        {
            var denied = await refreshTokens.RevokeFamilyAsync(token.FamilyId, token.FamilyExpiresAt, cancellationToken);
            TokenLifecycleLog.RefreshTokenReused(logger, entry.Hash[..12], token.FamilyId, client.ClientId, denied);
            return TokenRequestValidationResult.Failure(Errors.InvalidGrant, InvalidToken);
        }

        var now = timeProvider.GetUtcNow();
        if (now >= token.ExpiresAt || now >= token.FamilyExpiresAt)
        {
            return TokenRequestValidationResult.Failure(Errors.InvalidGrant, InvalidToken);
        }

        // A logged-out session or a revoked subject ends the family too (the shared denylist, revoked:sid / revoked:sub).
        if (await revocations.IsRevokedAsync(null, token.SessionId, token.SubjectId, token.AuthTime, cancellationToken))
        {
            await refreshTokens.RevokeFamilyAsync(token.FamilyId, token.FamilyExpiresAt, cancellationToken);
            return TokenRequestValidationResult.Failure(Errors.InvalidGrant, InvalidToken);
        }

        IReadOnlyList<string> scopes = token.Scopes;
        if (parameters.TryGetValue(TokenRequestParameters.Scope, out var scopeParameter))
        {
            var requested = ScopeSyntax.Parse(scopeParameter);
            if (requested is null || !requested.All(s => token.Scopes.Contains(s, StringComparer.Ordinal)))
            {
                return TokenRequestValidationResult.Failure(Errors.InvalidScope, "The requested scope exceeds the scope originally granted (RFC 6749 §6).");
            }

            scopes = requested;
        }

        var user = await users.FindBySubjectIdAsync(token.SubjectId, cancellationToken);
        if (!UserGrantSupport.MayUse(client, user))
        {
            return TokenRequestValidationResult.Failure(Errors.InvalidGrant, "The user of this refresh token can no longer sign in to this client.");
        }

        var audiences = UserGrantSupport.ResolveResources(client, scopes, await resources.GetAllApiResourcesAsync(cancellationToken));
        if (audiences is null)
        {
            return TokenRequestValidationResult.Failure(Errors.InvalidScope, "A granted scope is no longer allowed for this client.");
        }

        return TokenRequestValidationResult.Success(new ValidatedTokenRequest(client, GrantTypes.RefreshToken, scopes, audiences)
        {
            User = user,
            SessionId = token.SessionId,
            AuthTime = token.AuthTime,
            IssueIdToken = scopes.Contains(IdentityScopes.OpenId, StringComparer.Ordinal),
            IssueRefreshToken = true,
            RefreshTokenFamilyId = token.FamilyId,
            RefreshTokenFamilyExpiresAt = token.FamilyExpiresAt,
            RefreshTokenToRotate = entry,
            AdditionalClaims = UserGrantSupport.AccessTokenClaims(user!, scopes),
        });
    }
}
