using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Reference.IdentityProvider.Account;
using Reference.IdentityProvider.Endpoints.Results;
using Reference.IdentityProvider.Options;
using Reference.IdentityProvider.Sessions;
using Reference.IdentityProvider.Stores;
using Reference.IdentityProvider.Stores.AuthorizationCodes;
using Reference.IdentityProvider.Stores.Users;
using Reference.IdentityProvider.Validation;
using Reference.Redis;
using static Reference.IdentityProvider.OAuthConstants;

namespace Reference.IdentityProvider.Endpoints;

/// <summary>
/// <c>GET/POST /connect/authorize</c> (RFC 6749 §4.1.1, OIDC Core §3.1.2). Until the client and its exact
/// <c>redirect_uri</c> are known, errors are an HTML page and never a redirect (RFC 6749 §4.1.2.1); after that they
/// go back to the client with <c>error</c>, <c>state</c> and <c>iss</c> (RFC 9207). Only <c>response_type=code</c>,
/// PKCE S256 required for every client (RFC 9700 §2.1.1).
/// </summary>
/// <remarks>
/// Consent: every registered client is first-party here, so consent is implied by registration and no consent page
/// is shown; the scopes a client may request are fixed by its <c>AllowedScopes</c>.
/// </remarks>
internal sealed class AuthorizeEndpoint(
    IClientStore clients,
    ConfigurationUserStore users,
    ISessionStore sessions,
    IAuthorizationCodeStore codes,
    IOptions<IdentityProviderOptions> options,
    TimeProvider timeProvider,
    ILogger<AuthorizeEndpoint> logger)
{
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromSeconds(60);
    private const int MaxStateLength = 2048;
    private const int MaxNonceLength = 512;

    public async Task<IResult> ProcessAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var activity = IdentityProviderTelemetry.ActivitySource.StartActivity(nameof(AuthorizeEndpoint));
        var (parameters, readError) = await ReadParametersAsync(context.Request, context.RequestAborted);
        if (parameters is null)
        {
            return Page(activity, null, readError!);
        }

        var clientId = parameters.GetValueOrDefault("client_id");
        if (string.IsNullOrEmpty(clientId) || !ClientIdSyntax.IsValid(clientId))
        {
            return Page(activity, null, "The request has no valid client_id.");
        }

        var client = await clients.FindClientByIdAsync(clientId, context.RequestAborted);
        if (client is null)
        {
            return Page(activity, null, "The client is not registered.");
        }

        activity?.SetTag(IdentityProviderTelemetry.ClientIdTag, client.ClientId);
        var redirectUri = parameters.GetValueOrDefault("redirect_uri");
        if (string.IsNullOrEmpty(redirectUri))
        {
            return Page(activity, client.ClientId, "The request has no redirect_uri.");
        }

        // Exact, ordinal string comparison (RFC 9700 §4.1.3): no normalisation, no prefix or pattern matching.
        if (!client.RedirectUris.Contains(redirectUri, StringComparer.Ordinal))
        {
            return Page(activity, client.ClientId, "The redirect_uri is not registered for this client.");
        }

        var state = parameters.GetValueOrDefault("state");
        if (state is { Length: > MaxStateLength })
        {
            return Redirect(activity, client, redirectUri, null, Errors.InvalidRequest, "state is too long.");
        }

        var validation = Validate(client, parameters);
        if (validation.Error is { } error)
        {
            return Redirect(activity, client, redirectUri, state, error, validation.Description!);
        }

        try
        {
            return await AuthorizeAsync(context, activity, client, redirectUri, state, validation, parameters);
        }
        catch (RedisException ex)
        {
            AccountLog.StoreUnavailable(logger, "authorize", ex);
            return Redirect(activity, client, redirectUri, state, "temporarily_unavailable", "The authorization server is temporarily unavailable.");
        }
    }

    private async Task<IResult> AuthorizeAsync(
        HttpContext context,
        Activity? activity,
        Client client,
        string redirectUri,
        string? state,
        AuthorizeValidation request,
        IReadOnlyDictionary<string, string> parameters)
    {
        var cancellationToken = context.RequestAborted;
        var now = timeProvider.GetUtcNow();
        IdpSession? session = null;
        User? user = null;
        if (SessionCookie.Read(context.Request) is { } sessionId && await sessions.FindAsync(sessionId, cancellationToken) is { } found)
        {
            user = await users.FindBySubjectIdAsync(found.SubjectId, cancellationToken);
            session = user is { IsActive: true } ? found : null;
        }

        var tooOld = session is not null && request.MaxAge is { } maxAge && now - session.AuthTime > maxAge;
        if (session is null || request.PromptLogin || tooOld)
        {
            if (request.PromptNone)
            {
                return Redirect(activity, client, redirectUri, state, "login_required", "The user is not signed in (or must sign in again) and prompt=none was requested.");
            }

            // Back to this request after the login, minus what the login itself satisfies (prompt=login, max_age),
            // so that the user does not loop.
            var returnParameters = parameters
                .Where(p => p.Key is not ("prompt" or "max_age"))
                .Select(p => new KeyValuePair<string, string?>(p.Key, p.Value));
            var returnUrl = QueryHelpers.AddQueryString(EndpointPaths.Authorize, returnParameters);
            return new BrowserRedirectResult(QueryHelpers.AddQueryString(EndpointPaths.Login, "returnUrl", returnUrl));
        }

        if (client.AllowedTenants.Count > 0 && !client.AllowedTenants.Contains(user!.TenantId))
        {
            return Redirect(activity, client, redirectUri, state, "access_denied", "Users of this tenant may not sign in to this client.");
        }

        var code = new AuthorizationCode(
            client.ClientId,
            redirectUri,
            request.CodeChallenge!,
            request.Scopes!,
            session.SubjectId,
            session.Id,
            request.IsOpenId ? request.Nonce : null,
            session.AuthTime,
            now,
            now + CodeLifetime);
        var handle = await codes.CreateAsync(code, cancellationToken);
        await sessions.AddClientAsync(session.Id, client.ClientId, cancellationToken);
        AccountLog.CodeIssued(logger, client.ClientId, session.SubjectId);

        var response = new List<KeyValuePair<string, string?>> { new("code", handle) };
        if (state is not null)
        {
            response.Add(new("state", state));
        }

        response.Add(new("iss", options.Value.Issuer));
        return new BrowserRedirectResult(QueryHelpers.AddQueryString(redirectUri, response));
    }

    private static AuthorizeValidation Validate(Client client, IReadOnlyDictionary<string, string> parameters)
    {
        if (parameters.ContainsKey("request"))
        {
            return AuthorizeValidation.Fail("request_not_supported", "Request objects are not supported.");
        }

        if (parameters.ContainsKey("request_uri"))
        {
            return AuthorizeValidation.Fail("request_uri_not_supported", "request_uri is not supported.");
        }

        var responseType = parameters.GetValueOrDefault("response_type");
        if (string.IsNullOrEmpty(responseType))
        {
            return AuthorizeValidation.Fail(Errors.InvalidRequest, "response_type is required.");
        }

        if (responseType != "code")
        {
            return AuthorizeValidation.Fail("unsupported_response_type", "Only response_type=code is supported.");
        }

        if (parameters.TryGetValue("response_mode", out var responseMode) && responseMode != "query")
        {
            return AuthorizeValidation.Fail(Errors.InvalidRequest, "Only response_mode=query is supported.");
        }

        if (!client.AllowedGrantTypes.Contains(GrantTypes.AuthorizationCode))
        {
            return AuthorizeValidation.Fail(Errors.UnauthorizedClient, "The client may not use the authorization code flow.");
        }

        var scopeParameter = parameters.GetValueOrDefault("scope");
        if (string.IsNullOrEmpty(scopeParameter))
        {
            return AuthorizeValidation.Fail(Errors.InvalidRequest, "scope is required.");
        }

        var scopes = ScopeSyntax.Parse(scopeParameter);
        if (scopes is null)
        {
            return AuthorizeValidation.Fail(Errors.InvalidScope, "The scope parameter is malformed (RFC 6749 §3.3).");
        }

        if (!scopes.All(s => client.AllowedScopes.Contains(s, StringComparer.Ordinal))
            || (scopes.Contains(IdentityScopes.OfflineAccess, StringComparer.Ordinal) && !client.AllowOfflineAccess))
        {
            return AuthorizeValidation.Fail(Errors.InvalidScope, "A requested scope is unknown or not allowed for this client.");
        }

        var challenge = parameters.GetValueOrDefault("code_challenge");
        if (string.IsNullOrEmpty(challenge))
        {
            return AuthorizeValidation.Fail(Errors.InvalidRequest, "code_challenge is required (PKCE, RFC 7636) for every client.");
        }

        var method = parameters.GetValueOrDefault("code_challenge_method");
        if (method != "S256")
        {
            return AuthorizeValidation.Fail(Errors.InvalidRequest, "code_challenge_method must be S256.");
        }

        if (!IsValidChallenge(challenge))
        {
            return AuthorizeValidation.Fail(Errors.InvalidRequest, "code_challenge must be 43 to 128 base64url characters.");
        }

        var nonce = parameters.GetValueOrDefault("nonce");
        if (nonce is { Length: 0 or > MaxNonceLength })
        {
            return AuthorizeValidation.Fail(Errors.InvalidRequest, $"nonce must be 1 to {MaxNonceLength} characters.");
        }

        bool promptNone = false, promptLogin = false;
        if (parameters.TryGetValue("prompt", out var prompt))
        {
            var values = prompt.Split(' ');
            foreach (var value in values)
            {
                switch (value)
                {
                    case "none":
                        promptNone = true;
                        break;
                    case "login":
                        promptLogin = true;
                        break;
                    default:
                        return AuthorizeValidation.Fail(Errors.InvalidRequest, "prompt must be 'none' or 'login'.");
                }
            }

            if (promptNone && values.Length > 1)
            {
                return AuthorizeValidation.Fail(Errors.InvalidRequest, "prompt=none cannot be combined with other values (OIDC Core §3.1.2.1).");
            }
        }

        TimeSpan? maxAge = null;
        if (parameters.TryGetValue("max_age", out var maxAgeValue))
        {
            if (!int.TryParse(maxAgeValue, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                return AuthorizeValidation.Fail(Errors.InvalidRequest, "max_age must be a non-negative integer number of seconds.");
            }

            maxAge = TimeSpan.FromSeconds(seconds);
        }

        return new AuthorizeValidation(null, null)
        {
            Scopes = scopes,
            CodeChallenge = challenge,
            Nonce = nonce,
            PromptNone = promptNone,
            PromptLogin = promptLogin,
            MaxAge = maxAge,
            IsOpenId = scopes.Contains(IdentityScopes.OpenId, StringComparer.Ordinal),
        };
    }

    /// <summary>RFC 7636 §4.2 allows 43-128 unreserved characters; an S256 challenge is base64url (43 for SHA-256).</summary>
    private static bool IsValidChallenge(string challenge) =>
        challenge.Length is >= 43 and <= 128 && challenge.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static async Task<(IReadOnlyDictionary<string, string>? Parameters, string? Error)> ReadParametersAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (HttpMethods.IsPost(request.Method))
        {
            if (!FormRequestReader.HasFormContentType(request))
            {
                return (null, "The authorization request must be a GET or an application/x-www-form-urlencoded POST.");
            }

            var (form, error) = await FormRequestReader.ReadAsync(request, cancellationToken);
            return form is null ? (null, error) : (form, null);
        }

        if (!HttpMethods.IsGet(request.Method))
        {
            return (null, "The authorization endpoint accepts GET and POST.");
        }

        if (request.Query.Count > FormRequestReader.MaxParameters)
        {
            return (null, "The request has too many parameters.");
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in request.Query)
        {
            // RFC 6749 §3.1: parameters must not be included more than once; an empty one counts as absent.
            if (values.Count != 1)
            {
                return (null, $"The parameter '{name}' is repeated.");
            }

            if (!string.IsNullOrEmpty(values[0]))
            {
                parameters[name] = values[0]!;
            }
        }

        return (parameters, null);
    }

    private HtmlResult Page(Activity? activity, string? clientId, string description)
    {
        activity?.SetStatus(ActivityStatusCode.Error, Errors.InvalidRequest);
        AccountLog.AuthorizeRejected(logger, Errors.InvalidRequest, clientId, description);
        return HtmlResult.Error("Invalid authorization request", description + " The request was not sent back to the application.", StatusCodes.Status400BadRequest);
    }

    private BrowserRedirectResult Redirect(Activity? activity, Client client, string redirectUri, string? state, string error, string description)
    {
        activity?.SetTag(IdentityProviderTelemetry.ErrorTag, error);
        activity?.SetStatus(ActivityStatusCode.Error, error);
        AccountLog.AuthorizeRejected(logger, error, client.ClientId, description);
        var response = new List<KeyValuePair<string, string?>> { new("error", error), new("error_description", description) };
        if (state is not null)
        {
            response.Add(new("state", state));
        }

        response.Add(new("iss", options.Value.Issuer));
        return new BrowserRedirectResult(QueryHelpers.AddQueryString(redirectUri, response));
    }

    private sealed record AuthorizeValidation(string? Error, string? Description)
    {
        public IReadOnlyList<string>? Scopes { get; init; }

        public string? CodeChallenge { get; init; }

        public string? Nonce { get; init; }

        public bool PromptNone { get; init; }

        public bool PromptLogin { get; init; }

        public TimeSpan? MaxAge { get; init; }

        public bool IsOpenId { get; init; }

        public static AuthorizeValidation Fail(string error, string description) => new(error, description);
    }
}
