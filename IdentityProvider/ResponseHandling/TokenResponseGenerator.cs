using Reference.IdentityProvider.Endpoints;
using Reference.IdentityProvider.Stores.AuthorizationCodes;
using Reference.IdentityProvider.Stores.RefreshTokens;
using Reference.IdentityProvider.Stores.Revocations;
using Reference.IdentityProvider.Tokens;
using Reference.IdentityProvider.Validation;
using static Reference.IdentityProvider.OAuthConstants;

namespace Reference.IdentityProvider.ResponseHandling;

/// <summary>
/// Issues the tokens of a validated request: the access token (JWT or reference), then the refresh token (a new
/// family, or the rotation of the presented token, recording the access token's <c>jti</c> in the family), then —
/// for an authorization code — the record of what the code issued, then the ID token. Every Redis write happens
/// before the response: a token whose record could not be written is never returned (RFC 9700 §4.14, §4.5).
/// </summary>
internal sealed class TokenResponseGenerator(
    IAccessTokenService accessTokens,
    RedisRefreshTokenStore refreshTokens,
    RedisCodeGrantStore codeGrants,
    TokenRevocations revocations,
    IIdTokenService idTokens,
    TimeProvider timeProvider,
    IdentityProviderTelemetry telemetry,
    ILogger<TokenResponseGenerator> logger) : ITokenResponseGenerator
{
    public async ValueTask<TokenResponse> ProcessAsync(ValidatedTokenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var token = await accessTokens.CreateAsync(request, cancellationToken);
        var refreshToken = await IssueRefreshTokenAsync(request, token, cancellationToken);

        if (request.AuthorizationCodeHash is { } codeHash)
        {
            var familyId = refreshToken is null ? null : request.RefreshTokenFamilyId;
            var grant = new CodeGrant(request.Client.ClientId, familyId, request.RefreshTokenFamilyExpiresAt, [new IssuedAccessToken(token.TokenId, token.ExpiresAt)]);
            if (!await codeGrants.RecordAsync(codeHash, grant, cancellationToken))
            {
                // The code was replayed while this redemption was in flight: issue nothing.
                if (familyId is not null)
                {
                    await refreshTokens.RevokeFamilyAsync(familyId, request.RefreshTokenFamilyExpiresAt ?? token.ExpiresAt, cancellationToken);
                }

                await revocations.RevokeJtiAsync(token.TokenId, token.ExpiresAt, cancellationToken);
                throw new TokenRequestRejectedException("The authorization code was replayed.");
            }
        }

        string? idToken = null;
        if (request.IssueIdToken && request.User is not null && request.SessionId is not null)
        {
            idToken = await idTokens.CreateAsync(
                new IdTokenRequest(request.Client, request.User, request.Scopes, request.Nonce, request.AuthTime ?? token.IssuedAt, request.SessionId, token.Value),
                cancellationToken);
        }

        var scope = string.Join(' ', request.Scopes);
        telemetry.TokenIssued(request.GrantType, request.Client.ClientId);
        TokenEndpointLog.TokenIssued(logger, request.Client.ClientId, request.GrantType, scope, token.TokenId, token.Algorithm, token.KeyId, token.ExpiresAt);

        return new TokenResponse(token.Value, TokenTypes.Bearer, (long)token.Lifetime.TotalSeconds, scope)
        {
            RefreshToken = refreshToken,
            IdToken = idToken,
            IssuedTokenType = request.IssuedTokenType, // RFC 8693 §2.2.1; null outside token exchange.
        };
    }

    private async Task<string?> IssueRefreshTokenAsync(ValidatedTokenRequest request, AccessToken accessToken, CancellationToken cancellationToken)
    {
        if (!request.IssueRefreshToken || request.User is null || request.RefreshTokenFamilyId is not { } familyId)
        {
            return null;
        }

        var client = request.Client;
        var now = timeProvider.GetUtcNow();
        var familyExpiresAt = request.RefreshTokenFamilyExpiresAt ?? now + client.RefreshTokenAbsoluteLifetime;
        var sliding = now + client.RefreshTokenSlidingLifetime;
        var rotation = request.RefreshTokenToRotate;
        var next = new RefreshToken(
            familyId,
            client.ClientId,
            request.User.SubjectId,
            request.SessionId,
            rotation?.Token.Scopes ?? request.Scopes, // RFC 6749 §6: a narrowed refresh keeps the original grant.
            request.AuthTime ?? now,
            now,
            sliding < familyExpiresAt ? sliding : familyExpiresAt,
            familyExpiresAt);

        if (rotation is null)
        {
            return familyExpiresAt <= now ? null : await refreshTokens.CreateAsync(next, accessToken.TokenId, accessToken.ExpiresAt, cancellationToken);
        }

        var (status, handle) = await refreshTokens.RotateAsync(rotation.Hash, next, accessToken.TokenId, accessToken.ExpiresAt, cancellationToken);
        switch (status)
        {
            case RefreshTokenRotationStatus.Rotated:
                return handle;
            case RefreshTokenRotationStatus.Reused:
                var denied = await refreshTokens.RevokeFamilyAsync(familyId, familyExpiresAt, cancellationToken);
                await revocations.RevokeJtiAsync(accessToken.TokenId, accessToken.ExpiresAt, cancellationToken);
                TokenLifecycleLog.RefreshTokenReused(logger, rotation.Hash[..12], familyId, client.ClientId, denied);
                throw new TokenRequestRejectedException("The refresh token was already used.");
            default:
                throw new TokenRequestRejectedException("The refresh token is no longer valid.");
        }
    }
}
