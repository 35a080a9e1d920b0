using System.Diagnostics;
using System.Text.Json.Nodes;
using Reference.IdentityProvider.Account;
using Reference.IdentityProvider.Endpoints.Results;
using Reference.IdentityProvider.Stores.Users;
using Reference.IdentityProvider.Tokens;
using Reference.Redis;
using static Reference.IdentityProvider.OAuthConstants;

namespace Reference.IdentityProvider.Endpoints;

/// <summary>
/// <c>GET/POST /connect/userinfo</c> (OIDC Core §5.3): an access token of ours — an RFC 9068 JWT or a reference token,
/// whatever the code grant issued to the client — from the Authorization header only (RFC 6750 §2.1; a token in the
/// query or body is <c>invalid_request</c>), with scope <c>openid</c>, not revoked (<c>revoked:jti:{jti}</c>,
/// <c>revoked:sid:{sid}</c>). Its audience is not checked: a token with only OpenID scopes has the issuer as
/// <c>aud</c>, one with API scopes too names the APIs, and both were issued for userinfo. Claims as the scopes allow.
/// </summary>
internal sealed class UserInfoEndpoint(
    AccessTokenValidator tokenValidator,
    IUserStore users,
    RedisClient redis,
    ILogger<UserInfoEndpoint> logger)
{
    public async Task<IResult> ProcessAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var activity = IdentityProviderTelemetry.ActivitySource.StartActivity(nameof(UserInfoEndpoint));
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsPost(request.Method))
        {
            return Error(activity, StatusCodes.Status405MethodNotAllowed, Errors.InvalidRequest, "Use GET or POST.");
        }

        var inQuery = request.Query.ContainsKey("access_token");
        var inBody = false;
        if (HttpMethods.IsPost(request.Method) && request.HasFormContentType)
        {
            try
            {
                var form = await request.ReadFormAsync(context.RequestAborted);
                inBody = form.ContainsKey("access_token");
            }
            catch (InvalidDataException)
            {
                return Error(activity, StatusCodes.Status400BadRequest, Errors.InvalidRequest, "The request body is not a valid form.");
            }
        }

        var authorization = request.Headers.Authorization;
        if (inQuery || inBody || authorization.Count > 1)
        {
            return Error(activity, StatusCodes.Status400BadRequest, Errors.InvalidRequest, "The access token must be sent in the Authorization header only, once (RFC 6750 §2.1).");
        }

        var header = authorization.ToString();
        if (header.Length == 0)
        {
            return Challenge(activity);
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Challenge(activity);
        }

        var token = header["Bearer ".Length..].Trim();
        ValidatedAccessToken? validated;
        try
        {
            validated = token.Contains('.', StringComparison.Ordinal)
                ? await tokenValidator.ValidateJwtAsync(token, context.RequestAborted)
                : await tokenValidator.FindReferenceTokenAsync(token, context.RequestAborted);
            if (validated is null)
            {
                return Error(activity, StatusCodes.Status401Unauthorized, "invalid_token", "The access token is invalid or expired.");
            }

            if (validated.Revoked || await IsSessionRevokedAsync(validated, context.RequestAborted))
            {
                return Error(activity, StatusCodes.Status401Unauthorized, "invalid_token", "The access token has been revoked.");
            }
        }
        catch (RedisException ex)
        {
            AccountLog.StoreUnavailable(logger, "userinfo", ex);
            return Error(activity, StatusCodes.Status503ServiceUnavailable, "temporarily_unavailable", "Revocation state is unavailable.");
        }

        var scopes = StringClaim(validated, Claims.Scope) is { } scope ? scope.Split(' ') : [];
        if (!scopes.Contains(IdentityScopes.OpenId, StringComparer.Ordinal))
        {
            return Error(activity, StatusCodes.Status403Forbidden, "insufficient_scope", "The access token lacks the openid scope.", requiredScope: IdentityScopes.OpenId);
        }

        var user = StringClaim(validated, Claims.Subject) is { Length: > 0 } subject ? await users.FindBySubjectIdAsync(subject, context.RequestAborted) : null;
        if (user is not { IsActive: true })
        {
            return Error(activity, StatusCodes.Status401Unauthorized, "invalid_token", "The token's subject is not an active user.");
        }

        var claims = new JsonObject { [Claims.Subject] = user.SubjectId, ["tenant_id"] = user.TenantId };
        if (scopes.Contains(IdentityScopes.Profile, StringComparer.Ordinal) && user.Name is not null)
        {
            claims["name"] = user.Name;
            claims["preferred_username"] = user.Username;
        }

        if (scopes.Contains(IdentityScopes.Email, StringComparer.Ordinal) && user.Email is not null)
        {
            claims["email"] = user.Email;
            claims["email_verified"] = user.EmailVerified;
        }

        NoStore.Apply(context.Response);
        return TypedResults.Text(claims.ToJsonString(), "application/json");
    }

    private async Task<bool> IsSessionRevokedAsync(ValidatedAccessToken token, CancellationToken cancellationToken) =>
        StringClaim(token, "sid") is { Length: > 0 } sid && await redis.ExistsAsync($"revoked:sid:{sid}", cancellationToken);

    private static string? StringClaim(ValidatedAccessToken token, string name) =>
        token.Claims[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static ChallengeResult Challenge(Activity? activity)
    {
        activity?.SetStatus(ActivityStatusCode.Error, "no_token");
        return new ChallengeResult(StatusCodes.Status401Unauthorized, "Bearer");
    }

    private ChallengeResult Error(Activity? activity, int status, string error, string description, string? requiredScope = null)
    {
        activity?.SetTag(IdentityProviderTelemetry.ErrorTag, error);
        activity?.SetStatus(ActivityStatusCode.Error, error);
        AccountLog.UserInfoRejected(logger, error, description);
        var challenge = $"Bearer error=\"{error}\", error_description=\"{description}\"";
        if (requiredScope is not null)
        {
            challenge += $", scope=\"{requiredScope}\"";
        }

        return new ChallengeResult(status, challenge);
    }

    /// <summary>An RFC 6750 §3 error: status and <c>WWW-Authenticate</c>, no body, no caching.</summary>
    private sealed class ChallengeResult(int status, string challenge) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            NoStore.Apply(httpContext.Response);
            httpContext.Response.StatusCode = status;
            httpContext.Response.Headers.WWWAuthenticate = challenge;
            return Task.CompletedTask;
        }
    }
}
