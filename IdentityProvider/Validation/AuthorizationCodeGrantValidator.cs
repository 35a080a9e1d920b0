using Reference.IdentityProvider.Stores;
using Reference.IdentityProvider.Stores.AuthorizationCodes;
using Reference.IdentityProvider.Stores.RefreshTokens;
using Reference.IdentityProvider.Stores.Revocations;
using Reference.IdentityProvider.Stores.Users;
using static Reference.IdentityProvider.OAuthConstants;

namespace Reference.IdentityProvider.Validation;

/// <summary>
/// <c>authorization_code</c> (RFC 6749 §4.1.3, RFC 7636 §4.5). The code is redeemed first (atomically, once), then
/// checked: bound to the authenticating client, unexpired (codes live at most 60 s), the exact <c>redirect_uri</c>,
/// and the PKCE S256 verifier. A replayed code is refused and everything its first redemption issued is revoked
/// (RFC 6749 §4.1.2, RFC 9700 §4.5).
/// </summary>
internal sealed class AuthorizationCodeGrantValidator(
    IAuthorizationCodeStore codes,
    RedisCodeGrantStore codeGrants,
    RedisRefreshTokenStore refreshTokens,
    TokenRevocations revocations,
    IResourceStore resources,
    IUserStore users,
    TimeProvider timeProvider,
    ILogger<AuthorizationCodeGrantValidator> logger) : IGrantValidator
{
    private const string InvalidCode = "The authorization code is invalid, expired, already used, or was issued to another client or redirect URI.";

    public string GrantType => GrantTypes.AuthorizationCode;

    public async ValueTask<TokenRequestValidationResult> ValidateAsync(Client client, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(parameters);

        if (!parameters.TryGetValue(TokenRequestParameters.Code, out var handle))
        {
            return TokenRequestValidationResult.Failure(Errors.InvalidRequest, "code is required.");
        }

        if (!parameters.TryGetValue(TokenRequestParameters.RedirectUri, out var redirectUri))
        {
            return TokenRequestValidationResult.Failure(Errors.InvalidRequest, "redirect_uri is required.");
        }

        if (!TokenHandles.HasHandleShape(handle))
        {
            return TokenRequestValidationResult.Failure(Errors.InvalidGrant, InvalidCode);
        }

        parameters.TryGetValue(TokenRequestParameters.CodeVerifier, out var verifier);
        var redemption = await codes.RedeemAsync(handle, cancellationToken);
        var codeHash = TokenHandles.Hash(handle);
        if (redemption.Status == AuthorizationCodeRedemptionStatus.Replayed)
        {
            await RevokeWhatTheCodeIssuedAsync(codeHash, client, cancellationToken);
            return TokenRequestValidationResult.Failure(Errors.InvalidGrant, InvalidCode);
        }

        if (redemption is not { Status: AuthorizationCodeRedemptionStatus.Redeemed, Code: { } code })
        {
            return TokenRequestValidationResult.Failure(Errors.InvalidGrant, InvalidCode);
        }

        if (!string.Equals(code.ClientId, client.ClientId, StringComparison.Ordinal))
        {
            TokenLifecycleLog.CodeOfAnotherClient(logger, client.ClientId, code.ClientId);
            return TokenRequestValidationResult.Failure(Errors.InvalidGrant, InvalidCode);
        }

        if (timeProvider.GetUtcNow() >= code.ExpiresAt)
        {
            return TokenRequestValidationResult.Failure(Errors.InvalidGrant, InvalidCode);
        }

        if (!string.Equals(code.RedirectUri, redirectUri, StringComparison.Ordinal))
        {
            return TokenRequestValidationResult.Failure(Errors.InvalidGrant, InvalidCode);
        }

        // PKCE is required for every client: a code without a challenge, a missing or malformed verifier, or a
        // mismatch all fail the same way (RFC 9700 §4.8.2: no downgrade).
        if (string.IsNullOrEmpty(code.CodeChallenge) || !UserGrantSupport.IsValidCodeVerifier(verifier) || !UserGrantSupport.VerifyS256(verifier!, code.CodeChallenge))
        {
            return TokenRequestValidationResult.Failure(Errors.InvalidGrant, "PKCE verification failed (code_verifier does not match the S256 code_challenge).");
        }

        var user = await users.FindBySubjectIdAsync(code.SubjectId, cancellationToken);
        if (!UserGrantSupport.MayUse(client, user))
        {
            return TokenRequestValidationResult.Failure(Errors.InvalidGrant, "The user of this authorization code can no longer sign in to this client.");
        }

        var audiences = UserGrantSupport.ResolveResources(client, code.Scopes, await resources.GetAllApiResourcesAsync(cancellationToken));
        if (audiences is null)
        {
            return TokenRequestValidationResult.Failure(Errors.InvalidScope, "A granted scope is no longer allowed for this client.");
        }

        var issueRefreshToken = code.Scopes.Contains(IdentityScopes.OfflineAccess, StringComparer.Ordinal)
            && client.AllowOfflineAccess
            && client.AllowedGrantTypes.Contains(GrantTypes.RefreshToken);
        return TokenRequestValidationResult.Success(new ValidatedTokenRequest(client, GrantTypes.AuthorizationCode, code.Scopes, audiences)
        {
            User = user,
            SessionId = code.SessionId,
            AuthTime = code.AuthTime,
            Nonce = code.Nonce,
            IssueIdToken = code.Scopes.Contains(IdentityScopes.OpenId, StringComparer.Ordinal),
            IssueRefreshToken = issueRefreshToken,
            RefreshTokenFamilyId = issueRefreshToken ? RedisRefreshTokenStore.NewFamilyId() : null,
            RefreshTokenFamilyExpiresAt = issueRefreshToken ? code.AuthTime + client.RefreshTokenAbsoluteLifetime : null,
            AuthorizationCodeHash = codeHash,
            AdditionalClaims = UserGrantSupport.AccessTokenClaims(user!, code.Scopes),
        });
    }

    private async Task RevokeWhatTheCodeIssuedAsync(string codeHash, Client client, CancellationToken cancellationToken)
    {
        var grant = await codeGrants.RevokeAsync(codeHash, cancellationToken);
        var denied = 0;
        if (grant?.RefreshTokenFamilyId is { } familyId)
        {
            denied += await refreshTokens.RevokeFamilyAsync(familyId, grant.FamilyExpiresAt ?? timeProvider.GetUtcNow(), cancellationToken);
        }

        foreach (var token in grant?.AccessTokens ?? [])
        {
            await revocations.RevokeJtiAsync(token.TokenId, token.ExpiresAt, cancellationToken);
            denied++;
        }

        TokenLifecycleLog.CodeReplayed(logger, codeHash[..12], client.ClientId, grant?.RefreshTokenFamilyId, denied);
    }
}
