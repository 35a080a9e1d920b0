using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Reference.Redis;

namespace Reference.Gateway.Authentication.Sessions;

/// <summary>
/// The BFF endpoints: <c>/bff/login</c> (authorization code + PKCE S256 at the IdP), <c>/bff/callback</c> (code
/// redemption, ID token validation, a new session), <c>/bff/user</c> (who am I), <c>/bff/logout</c> (POST with the
/// anti-CSRF header; RP-initiated logout at the IdP) and <c>/bff/backchannel-logout</c> (OIDC Back-Channel Logout 1.0).
/// Every answer is <c>Cache-Control: no-store</c>; errors are <c>{error, error_description}</c>.
/// </summary>
internal sealed class BffEndpoints(
    SessionManager sessions,
    SessionStore store,
    OidcProviderClient oidc,
    IOptions<BffOptions> options,
    TimeProvider timeProvider,
    SessionTelemetry telemetry,
    ILogger<BffEndpoints> logger)
{
    public const string CallbackPath = "/bff/callback";

    private const int MaxFormBytes = 64 * 1024;

    private readonly BffOptions _options = options.Value;

    public async Task<IResult> LoginAsync(HttpContext context)
    {
        NoStore(context);
        var returnUrl = context.Request.Query["returnUrl"].ToString();
        returnUrl = string.IsNullOrEmpty(returnUrl) ? "/" : returnUrl;
        if (!IsLocalUrl(returnUrl))
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request", "returnUrl must be a local path.");
        }

        var cancellationToken = context.RequestAborted;
        try
        {
            var configuration = await oidc.GetConfigurationAsync(cancellationToken);
            if (!Uri.TryCreate(configuration.AuthorizationEndpoint, UriKind.Absolute, out var authorize))
            {
                throw new IdentityProviderUnavailableException("The discovery document has no authorization_endpoint.");
            }

            var state = RandomValue();
            var nonce = RandomValue();
            var verifier = RandomValue();
            var redirectUri = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}{CallbackPath}";
            await store.SaveLoginStateAsync(
                state,
                new LoginState
                {
                    CodeVerifier = verifier,
                    Nonce = nonce,
                    RedirectUri = redirectUri,
                    ReturnUrl = returnUrl,
                    ExpiresAt = timeProvider.GetUtcNow() + _options.LoginStateLifetime,
                },
                cancellationToken);

            var query = new Dictionary<string, string?>
            {
                ["response_type"] = "code",
                ["client_id"] = _options.ClientId,
                ["redirect_uri"] = redirectUri,
                ["scope"] = _options.Scope,
                ["state"] = state,
                ["nonce"] = nonce,
                ["code_challenge"] = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))),
                ["code_challenge_method"] = "S256",
            };
            return Results.Redirect(Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(authorize.ToString(), query));
        }
        catch (IdentityProviderUnavailableException ex)
        {
            SessionLog.IdentityProviderUnavailable(logger, ex.Message);
            return Unavailable();
        }
        catch (RedisException ex)
        {
            SessionLog.StoreUnavailable(logger, ex.GetType().Name);
            return Unavailable();
        }
    }

    public async Task<IResult> CallbackAsync(HttpContext context)
    {
        NoStore(context);
        var query = context.Request.Query;
        var cancellationToken = context.RequestAborted;
        if (query["state"] is not { Count: 1 } stateValues || string.IsNullOrEmpty(stateValues[0]) || stateValues[0]!.Length > 512)
        {
            return Rejected("invalid_request", "The state parameter is missing.");
        }

        try
        {
            var loginState = await store.TakeLoginStateAsync(stateValues[0]!, cancellationToken);
            if (loginState is null)
            {
                return Rejected("invalid_request", "The state is unknown, expired or already used.");
            }

            if (query.ContainsKey("error"))
            {
                var error = query["error"].ToString();
                return Rejected(error.Length <= 64 && error.All(c => c is (>= 'a' and <= 'z') or '_') ? error : "invalid_request", "The identity provider did not authorize the login.");
            }

            // RFC 9207: when the IdP names itself, it must be the IdP this login was sent to (mix-up defence).
            if (query.ContainsKey("iss") && !string.Equals(query["iss"].ToString(), _options.Authority, StringComparison.Ordinal))
            {
                return Rejected("invalid_request", "The authorization response comes from another issuer.");
            }

            if (query["code"] is not { Count: 1 } code || string.IsNullOrEmpty(code[0]) || code[0]!.Length > 2048)
            {
                return Rejected("invalid_request", "The code parameter is missing.");
            }

            TokenEndpointResponse tokens;
            try
            {
                tokens = await oidc.RedeemCodeAsync(code[0]!, loginState.CodeVerifier, loginState.RedirectUri, cancellationToken);
            }
            catch (TokenRequestRejectedException ex)
            {
                SessionLog.CallbackRejected(logger, ex.Message);
                return Error(StatusCodes.Status400BadRequest, "invalid_grant", "The authorization code was not accepted.");
            }

            if (tokens.IdToken is null)
            {
                return Rejected("invalid_request", "The token response has no ID token.");
            }

            var (idToken, problem) = await oidc.ValidateIdTokenAsync(tokens.IdToken, loginState.Nonce, cancellationToken);
            if (idToken is null)
            {
                return Rejected("invalid_token", $"The ID token is not valid: {problem}.");
            }

            var record = sessions.BuildRecord(tokens, idToken.Payload, tokens.IdToken, previous: null);
            var id = await sessions.CreateAsync(context, record, cancellationToken);
            SessionCookie.Write(context, id);
            return Results.Redirect(loginState.ReturnUrl);
        }
        catch (IdentityProviderUnavailableException ex)
        {
            SessionLog.IdentityProviderUnavailable(logger, ex.Message);
            return Unavailable();
        }
        catch (RedisException ex)
        {
            SessionLog.StoreUnavailable(logger, ex.GetType().Name);
            return Unavailable();
        }
    }

    public async Task<IResult> UserAsync(HttpContext context)
    {
        NoStore(context);
        var lookup = await sessions.GetAsync(context, refreshTokens: false, context.RequestAborted);
        if (lookup.Status == SessionStatus.StoreUnavailable)
        {
            return Unavailable();
        }

        if (lookup.Status != SessionStatus.Active)
        {
            if (lookup.Status != SessionStatus.NoCookie)
            {
                SessionCookie.Clear(context);
            }

            return Error(StatusCodes.Status401Unauthorized, "invalid_token", "No active session.");
        }

        var record = lookup.Record!;
        return Results.Json(new UserInfo(
            record.Subject,
            record.Sid,
            record.Name,
            record.Email,
            record.TenantId,
            record.Roles,
            string.Join(' ', record.Scopes),
            record.ExpiresAt(_options.SlidingExpiration).ToUnixTimeSeconds(),
            record.AbsoluteExpiresAt.ToUnixTimeSeconds()));
    }

    public async Task<IResult> LogoutAsync(HttpContext context)
    {
        NoStore(context);
        if (!CsrfProtection.IsAllowed(context.Request, out var fetchSite) || CsrfProtection.IsSafeMethod(context.Request.Method))
        {
            SessionLog.CsrfRejected(logger, fetchSite);
            return Error(StatusCodes.Status403Forbidden, CsrfProtection.Error, "Logout needs a POST with the X-CSRF: 1 header from the same site.");
        }

        var cancellationToken = context.RequestAborted;
        var lookup = await sessions.GetAsync(context, refreshTokens: false, cancellationToken);
        if (lookup.Status == SessionStatus.StoreUnavailable)
        {
            return Unavailable();
        }

        string? idTokenHint = null;
        if (lookup.Status == SessionStatus.Active)
        {
            idTokenHint = lookup.Record!.IdToken;
            try
            {
                await sessions.EndAsync(lookup.SessionHash!, lookup.Record, "logout", cancellationToken);
            }
            catch (RedisException ex)
            {
                SessionLog.StoreUnavailable(logger, ex.GetType().Name);
                return Unavailable();
            }
        }

        SessionCookie.Clear(context);
        var postLogout = _options.PostLogoutRedirectUri?.ToString() ?? $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/";
        var destination = postLogout;
        if (idTokenHint is not null)
        {
            try
            {
                var configuration = await oidc.GetConfigurationAsync(cancellationToken);
                if (Uri.TryCreate(configuration.EndSessionEndpoint, UriKind.Absolute, out var endSession))
                {
                    destination = Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(endSession.ToString(), new Dictionary<string, string?>
                    {
                        ["id_token_hint"] = idTokenHint,
                        ["post_logout_redirect_uri"] = postLogout,
                        ["client_id"] = _options.ClientId,
                    });
                }
            }
            catch (IdentityProviderUnavailableException ex)
            {
                // The local session is gone either way; the IdP session ends when the IdP is back or expires.
                SessionLog.IdentityProviderUnavailable(logger, ex.Message);
            }
        }

        // A SPA posting with fetch cannot follow a cross-origin redirect: it asks for JSON and navigates itself.
        var accept = context.Request.GetTypedHeaders().Accept;
        if (accept.Any(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)))
        {
            return Results.Json(new LogoutResponse(destination));
        }

        return Results.Redirect(destination);
    }

    public async Task<IResult> BackChannelLogoutAsync(HttpContext context)
    {
        NoStore(context);
        var request = context.Request;
        var cancellationToken = context.RequestAborted;
        if (!request.HasFormContentType || request.ContentLength is null or > MaxFormBytes)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request", "Expected a form-encoded logout_token.");
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request", "The form is malformed or too large.");
        }

        if (form["logout_token"] is not { Count: 1 } values || string.IsNullOrEmpty(values[0]))
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_request", "Expected exactly one logout_token.");
        }

        try
        {
            var (token, problem) = await oidc.ValidateLogoutTokenAsync(values[0]!, cancellationToken);
            if (token is null)
            {
                SessionLog.LogoutTokenRejected(logger, problem!);
                return Error(StatusCodes.Status400BadRequest, "invalid_request", "The logout token is not valid.");
            }

            var jti = OidcProviderClient.String(token.Payload, "jti")!;
            var lifetime = token.Token.ValidTo - timeProvider.GetUtcNow().UtcDateTime + _options.ClockSkew;
            if (!await store.TryRecordLogoutJtiAsync(jti, lifetime, cancellationToken))
            {
                SessionLog.LogoutTokenRejected(logger, "replayed jti");
                return Error(StatusCodes.Status400BadRequest, "invalid_request", "The logout token was already used.");
            }

            var sid = OidcProviderClient.String(token.Payload, "sid");
            var sub = OidcProviderClient.String(token.Payload, "sub");
            var deleted = await store.DeleteBySidOrSubAsync(sid, sub, cancellationToken);
            telemetry.RecordEvent("backchannel_logout");
            SessionLog.BackChannelLogout(logger, sid, sub, deleted);
            return Results.Ok();
        }
        catch (IdentityProviderUnavailableException ex)
        {
            SessionLog.IdentityProviderUnavailable(logger, ex.Message);
            return Error(StatusCodes.Status400BadRequest, "temporarily_unavailable", "The logout token cannot be verified right now.");
        }
        catch (RedisException ex)
        {
            SessionLog.StoreUnavailable(logger, ex.GetType().Name);
            return Error(StatusCodes.Status400BadRequest, "temporarily_unavailable", "The sessions cannot be deleted right now.");
        }
    }

    /// <summary>A path on this host: starts with one '/', not '//' or '/\' (protocol-relative), no control characters.</summary>
    internal static bool IsLocalUrl(string url) =>
        url.Length is > 0 and <= 2048
        && url[0] == '/'
        && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.Any(char.IsControl);

    private static string RandomValue() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    private static void NoStore(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers[HeaderNames.Pragma] = "no-cache";
    }

    private IResult Rejected(string error, string description)
    {
        SessionLog.CallbackRejected(logger, description);
        return Error(StatusCodes.Status400BadRequest, error, description);
    }

    private static IResult Unavailable() =>
        Error(StatusCodes.Status503ServiceUnavailable, "temporarily_unavailable", "Sign-in is unavailable right now; try again later.");

    private static IResult Error(int status, string error, string description) =>
        Results.Json(new ErrorBody(error, description), statusCode: status);

    private sealed record ErrorBody(
        [property: JsonPropertyName("error")] string Error,
        [property: JsonPropertyName("error_description")] string ErrorDescription);

    private sealed record LogoutResponse([property: JsonPropertyName("logout_url")] string LogoutUrl);

    private sealed record UserInfo(
        [property: JsonPropertyName("sub")] string Subject,
        [property: JsonPropertyName("sid")] string? Sid,
        [property: JsonPropertyName("name")] string? Name,
        [property: JsonPropertyName("email")] string? Email,
        [property: JsonPropertyName("tenant_id")] string? TenantId,
        [property: JsonPropertyName("roles")] IReadOnlyList<string> Roles,
        [property: JsonPropertyName("scope")] string Scope,
        [property: JsonPropertyName("session_expires_at")] long SessionExpiresAt,
        [property: JsonPropertyName("absolute_expires_at")] long AbsoluteExpiresAt);
}
