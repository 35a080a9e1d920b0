using System.Diagnostics;
using Reference.IdentityProvider.Endpoints.Results;
using Reference.IdentityProvider.Stores.ReferenceTokens;
using Reference.IdentityProvider.Stores.RefreshTokens;
using Reference.IdentityProvider.Stores.Revocations;
using Reference.IdentityProvider.Tokens;
using Reference.IdentityProvider.Validation;
using Reference.Redis;
using static Reference.IdentityProvider.OAuthConstants;

namespace Reference.IdentityProvider.Endpoints;

/// <summary>
/// <c>POST /connect/revocation</c> (RFC 7009). The client authenticates (public clients by <c>client_id</c>) and may
/// revoke only its own tokens: a refresh token revokes its whole family; a reference token is deleted; a JWT access
/// token's <c>jti</c> is denied until it expires and announced on <c>reference:revocations</c>. An unknown, invalid
/// or foreign token still answers 200 (§2.2) — a foreign one is left untouched.
/// </summary>
internal sealed class RevocationEndpoint(
    IClientAuthenticator clientAuthenticator,
    AccessTokenValidator accessTokens,
    RedisRefreshTokenStore refreshTokens,
    RedisReferenceTokenStore referenceTokens,
    TokenRevocations revocations,
    ILogger<RevocationEndpoint> logger) : IEndpointHandler
{
    public async Task<IResult> ProcessAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var activity = IdentityProviderTelemetry.ActivitySource.StartActivity(nameof(RevocationEndpoint));
        var request = context.Request;
        var (parameters, formError) = await FormRequestReader.ReadPostedFormAsync(request, "revocation", context.RequestAborted);
        if (parameters is null)
        {
            return Error(activity, Errors.InvalidRequest, formError);
        }

        try
        {
            var authentication = await clientAuthenticator.AuthenticateAsync(request, parameters, context.RequestAborted);
            if (authentication.IsError)
            {
                return Error(activity, authentication.Error, authentication.ErrorDescription);
            }

            var client = authentication.Client;
            activity?.SetTag(IdentityProviderTelemetry.ClientIdTag, client.ClientId);
            if (!parameters.TryGetValue(TokenRequestParameters.Token, out var token))
            {
                return Error(activity, Errors.InvalidRequest, "token is required.");
            }

            // token_type_hint is only a hint (§2.1): every kind is tried, so the hint's value changes nothing here.
            _ = await RevokeRefreshTokenAsync(client.ClientId, token, context.RequestAborted)
                || await RevokeAccessTokenAsync(client.ClientId, token, context.RequestAborted);
            return new EmptyNoStoreResult();
        }
        catch (RedisException ex)
        {
            TokenLifecycleLog.StorageUnavailable(logger, EndpointPaths.Revocation, ex);
            return Error(activity, Errors.TemporarilyUnavailable, "The authorization server is temporarily unavailable; retry later.");
        }
    }

    /// <returns>Whether the token was a refresh token (revoked or, when foreign, deliberately left alone).</returns>
    private async Task<bool> RevokeRefreshTokenAsync(string clientId, string token, CancellationToken cancellationToken)
    {
        if (token.Contains('.', StringComparison.Ordinal) || await refreshTokens.FindAsync(token, cancellationToken) is not { } entry)
        {
            return false;
        }

        if (!string.Equals(entry.Token.ClientId, clientId, StringComparison.Ordinal))
        {
            TokenLifecycleLog.ForeignRevocationIgnored(logger, clientId, entry.Token.ClientId);
            return true;
        }

        var denied = await refreshTokens.RevokeFamilyAsync(entry.Token.FamilyId, entry.Token.FamilyExpiresAt, cancellationToken);
        TokenLifecycleLog.FamilyRevoked(logger, entry.Token.FamilyId, clientId, denied);
        return true;
    }

    private async Task<bool> RevokeAccessTokenAsync(string clientId, string token, CancellationToken cancellationToken)
    {
        var validated = token.Contains('.', StringComparison.Ordinal)
            ? await accessTokens.ValidateJwtAsync(token, cancellationToken)
            : await accessTokens.FindReferenceTokenAsync(token, cancellationToken);
        if (validated is null)
        {
            return false;
        }

        if (!string.Equals(validated.ClientId, clientId, StringComparison.Ordinal))
        {
            TokenLifecycleLog.ForeignRevocationIgnored(logger, clientId, validated.ClientId);
            return true;
        }

        if (validated.ReferenceHash is { } hash)
        {
            await referenceTokens.DeleteAsync(hash, cancellationToken);
        }

        await revocations.RevokeJtiAsync(validated.TokenId, validated.ExpiresAt, cancellationToken);
        TokenLifecycleLog.AccessTokenRevoked(logger, validated.TokenId, clientId);
        return true;
    }

    private static TokenErrorResult Error(Activity? activity, string error, string? description)
    {
        activity?.SetTag(IdentityProviderTelemetry.ErrorTag, error);
        activity?.SetStatus(ActivityStatusCode.Error, error);
        return new TokenErrorResult(error, description);
    }
}
