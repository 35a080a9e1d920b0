using System.Diagnostics;
using System.Text.Json.Nodes;
using Reference.IdentityProvider.Endpoints.Results;
using Reference.IdentityProvider.Stores.RefreshTokens;
using Reference.IdentityProvider.Tokens;
using Reference.IdentityProvider.Validation;
using Reference.Redis;
using static Reference.IdentityProvider.OAuthConstants;

namespace Reference.IdentityProvider.Endpoints;

/// <summary>
/// <c>POST /connect/introspect</c> (RFC 7662). The caller authenticates (401 with a Basic challenge otherwise). A token
/// is described only when it is active and the caller is in its audience or is the client it was issued to; every
/// other case — unknown, expired, revoked, malformed, foreign — answers exactly <c>{"active":false}</c>.
/// <c>token_type_hint</c> only changes the lookup order.
/// </summary>
internal sealed class IntrospectionEndpoint(
    IntrospectionCallerAuthenticator callerAuthenticator,
    AccessTokenValidator accessTokens,
    RedisRefreshTokenStore refreshTokens,
    TimeProvider timeProvider,
    ILogger<IntrospectionEndpoint> logger) : IEndpointHandler
{
    private const string RefreshTokenHint = "refresh_token";

    public async Task<IResult> ProcessAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var activity = IdentityProviderTelemetry.ActivitySource.StartActivity(nameof(IntrospectionEndpoint));
        var request = context.Request;
        var (parameters, formError) = await FormRequestReader.ReadPostedFormAsync(request, "introspection", context.RequestAborted);
        if (parameters is null)
        {
            return Error(activity, Errors.InvalidRequest, formError);
        }

        try
        {
            var (caller, failure) = await callerAuthenticator.AuthenticateAsync(request, parameters, context.RequestAborted);
            if (caller is null)
            {
                TokenLifecycleLog.IntrospectionCallerRejected(logger, failure!.Error!, failure.ErrorDescription);
                return Error(activity, failure.Error!, failure.ErrorDescription);
            }

            activity?.SetTag(IdentityProviderTelemetry.ClientIdTag, caller.Name);
            if (!parameters.TryGetValue(TokenRequestParameters.Token, out var token))
            {
                return Error(activity, Errors.InvalidRequest, "token is required.");
            }

            parameters.TryGetValue(TokenRequestParameters.TokenTypeHint, out var hint);
            var response = hint == RefreshTokenHint
                ? await IntrospectRefreshTokenAsync(caller, token, context.RequestAborted) ?? await IntrospectAccessTokenAsync(caller, token, context.RequestAborted)
                : await IntrospectAccessTokenAsync(caller, token, context.RequestAborted) ?? await IntrospectRefreshTokenAsync(caller, token, context.RequestAborted);
            activity?.SetTag("oauth.token.active", response is not null);
            return new JsonNoStoreResult(response ?? new JsonObject { ["active"] = false });
        }
        catch (RedisException ex)
        {
            TokenLifecycleLog.StorageUnavailable(logger, EndpointPaths.Introspection, ex);
            return Error(activity, Errors.TemporarilyUnavailable, "The authorization server is temporarily unavailable; retry later.");
        }
    }

    /// <returns>The active response, or null when the token is not an active access token this caller may see.</returns>
    private async Task<JsonObject?> IntrospectAccessTokenAsync(IntrospectionCaller caller, string token, CancellationToken cancellationToken)
    {
        var validated = token.Contains('.', StringComparison.Ordinal)
            ? await accessTokens.ValidateJwtAsync(token, cancellationToken)
            : await accessTokens.FindReferenceTokenAsync(token, cancellationToken);
        if (validated is null || validated.Revoked || validated.ExpiresAt <= timeProvider.GetUtcNow())
        {
            return null;
        }

        var allowed = caller.IsApiResource
            ? validated.Audiences.Contains(caller.Name, StringComparer.Ordinal)
            : string.Equals(validated.ClientId, caller.Name, StringComparison.Ordinal) || validated.Audiences.Contains(caller.Name, StringComparer.Ordinal);
        if (!allowed)
        {
            return null;
        }

        var response = new JsonObject { ["active"] = true };
        foreach (var (name, value) in validated.Claims)
        {
            response[name] = value?.DeepClone();
        }

        response["token_type"] = TokenTypes.Bearer;
        return response;
    }

    private async Task<JsonObject?> IntrospectRefreshTokenAsync(IntrospectionCaller caller, string token, CancellationToken cancellationToken)
    {
        if (caller.IsApiResource || token.Contains('.', StringComparison.Ordinal))
        {
            return null;
        }

        var entry = await refreshTokens.FindAsync(token, cancellationToken);
        var now = timeProvider.GetUtcNow();
        if (entry is null || entry.Used || now >= entry.Token.ExpiresAt || now >= entry.Token.FamilyExpiresAt
            || !string.Equals(entry.Token.ClientId, caller.Name, StringComparison.Ordinal))
        {
            return null;
        }

        var response = new JsonObject
        {
            ["active"] = true,
            ["client_id"] = entry.Token.ClientId,
            ["sub"] = entry.Token.SubjectId,
            ["scope"] = string.Join(' ', entry.Token.Scopes),
            ["iat"] = entry.Token.CreatedAt.ToUnixTimeSeconds(),
            ["exp"] = entry.Token.ExpiresAt.ToUnixTimeSeconds(),
            ["token_type"] = RefreshTokenHint,
        };
        if (entry.Token.SessionId is not null)
        {
            response["sid"] = entry.Token.SessionId;
        }

        return response;
    }

    private static TokenErrorResult Error(Activity? activity, string error, string? description)
    {
        activity?.SetTag(IdentityProviderTelemetry.ErrorTag, error);
        activity?.SetStatus(ActivityStatusCode.Error, error);
        return new TokenErrorResult(error, description);
    }
}
