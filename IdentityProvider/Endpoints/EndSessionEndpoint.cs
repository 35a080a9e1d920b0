using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using Reference.IdentityProvider.Account;
using Reference.IdentityProvider.Endpoints.Results;
using Reference.IdentityProvider.Sessions;
using Reference.IdentityProvider.Stores;
using Reference.IdentityProvider.Tokens;
using Reference.Redis;

namespace Reference.IdentityProvider.Endpoints;

/// <summary>
/// <c>GET/POST /connect/endsession</c> and <c>/account/logout</c> (OIDC RP-Initiated Logout 1.0). The
/// <c>id_token_hint</c> must be one of our ID tokens (signature and <c>iss</c>; an expired one is fine); a
/// <c>post_logout_redirect_uri</c> must exactly match one the client registered, otherwise nothing redirects.
/// Without a hint naming the current session, the user confirms on a page (a POST with antiforgery), so that a
/// cross-site link cannot sign the user out.
/// </summary>
internal sealed class EndSessionEndpoint(
    IAntiforgery antiforgery,
    IClientStore clients,
    ISessionStore sessions,
    LogoutService logout,
    IssuedTokenValidator tokenValidator,
    ILogger<EndSessionEndpoint> logger)
{
    private const string ConfirmField = "confirm";
    private static readonly string[] Forwarded = ["id_token_hint", "client_id", "post_logout_redirect_uri", "state"];

    public async Task<IResult> ProcessAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var activity = IdentityProviderTelemetry.ActivitySource.StartActivity(nameof(EndSessionEndpoint));
        var request = context.Request;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        var confirmed = false;
        if (HttpMethods.IsPost(request.Method))
        {
            if (!request.HasFormContentType)
            {
                return Reject("The logout request must be a GET or a form POST.");
            }

            var form = await request.ReadFormAsync(context.RequestAborted);
            if (form.ContainsKey(ConfirmField))
            {
                if (!await antiforgery.IsRequestValidAsync(context))
                {
                    AccountLog.AntiforgeryRejected(logger, request.Path);
                    return HtmlResult.Error("Bad request", "The form has expired or was not sent by this site.", StatusCodes.Status400BadRequest);
                }

                confirmed = true;
            }

            foreach (var (name, values) in form)
            {
                if (values.Count > 1)
                {
                    return Reject($"The parameter '{name}' is repeated.");
                }

                parameters[name] = values.ToString();
            }
        }
        else if (HttpMethods.IsGet(request.Method))
        {
            foreach (var (name, values) in request.Query)
            {
                if (values.Count > 1)
                {
                    return Reject($"The parameter '{name}' is repeated.");
                }

                parameters[name] = values.ToString();
            }
        }
        else
        {
            return Reject("Use GET or POST.");
        }

        JsonWebToken? hint = null;
        if (parameters.GetValueOrDefault("id_token_hint") is { Length: > 0 } hintValue)
        {
            hint = await tokenValidator.ValidateAsync(hintValue, IdTokenService.TokenType, validateLifetime: false, context.RequestAborted);
            if (hint is null)
            {
                return Reject("The id_token_hint is not a valid ID token of this server.");
            }
        }

        var clientId = parameters.GetValueOrDefault("client_id") is { Length: > 0 } id ? id : null;
        var hintAudience = hint?.Audiences.ToList();
        if (clientId is not null && hintAudience is not null && !hintAudience.Contains(clientId, StringComparer.Ordinal))
        {
            return Reject("client_id does not match the id_token_hint's audience.");
        }

        clientId ??= hintAudience is [var single] ? single : null;
        var client = clientId is null ? null : await clients.FindClientByIdAsync(clientId, context.RequestAborted);
        if (clientId is not null && client is null)
        {
            return Reject("The client is not registered.");
        }

        var postLogoutRedirectUri = parameters.GetValueOrDefault("post_logout_redirect_uri") is { Length: > 0 } uri ? uri : null;
        if (postLogoutRedirectUri is not null && (client is null || !client.PostLogoutRedirectUris.Contains(postLogoutRedirectUri, StringComparer.Ordinal)))
        {
            return Reject("The post_logout_redirect_uri is not registered for the client (or no client was identified).");
        }

        try
        {
            var sessionId = SessionCookie.Read(request);
            var session = sessionId is null ? null : await sessions.FindAsync(sessionId, context.RequestAborted);
            if (session is not null)
            {
                var hintMatches = hint is not null && hint.TryGetPayloadValue<string>("sid", out var sid) && sid == session.Id;
                if (!hintMatches && !confirmed)
                {
                    return Confirmation(context, parameters);
                }

                await logout.EndSessionAsync(session.Id, context.RequestAborted);
            }
        }
        catch (RedisException ex)
        {
            AccountLog.StoreUnavailable(logger, "logout", ex);
            return HtmlResult.Unavailable();
        }

        if (request.Cookies.ContainsKey(SessionCookie.Name))
        {
            SessionCookie.Clear(context);
        }

        if (postLogoutRedirectUri is not null)
        {
            var state = parameters.GetValueOrDefault("state");
            return new BrowserRedirectResult(state is { Length: > 0 } ? QueryHelpers.AddQueryString(postLogoutRedirectUri, "state", state) : postLogoutRedirectUri);
        }

        return new HtmlResult("Signed out", "<p>You are signed out.</p>");
    }

    private HtmlResult Reject(string description)
    {
        AccountLog.EndSessionRejected(logger, description);
        return HtmlResult.Error("Invalid logout request", description, StatusCodes.Status400BadRequest);
    }

    private HtmlResult Confirmation(HttpContext context, Dictionary<string, string> parameters)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        var body = new StringBuilder("<p>Do you want to sign out?</p>")
            .Append("<form method=\"post\" action=\"").Append(EndpointPaths.EndSession).Append("\">")
            .Append("<input type=\"hidden\" name=\"").Append(HtmlResult.Encode(tokens.FormFieldName)).Append("\" value=\"").Append(HtmlResult.Encode(tokens.RequestToken)).Append("\">")
            .Append("<input type=\"hidden\" name=\"").Append(ConfirmField).Append("\" value=\"yes\">");
        foreach (var name in Forwarded)
        {
            if (parameters.GetValueOrDefault(name) is { Length: > 0 } value)
            {
                body.Append("<input type=\"hidden\" name=\"").Append(name).Append("\" value=\"").Append(HtmlResult.Encode(value)).Append("\">");
            }
        }

        body.Append("<button type=\"submit\">Sign out</button></form>");
        return new HtmlResult("Sign out", body.ToString());
    }
}
