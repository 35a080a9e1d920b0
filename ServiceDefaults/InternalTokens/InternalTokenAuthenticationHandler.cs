using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Reference.ServiceDefaults.InternalTokens;

/// <summary>
/// The <c>InternalToken</c> authentication scheme: reads the bearer token from the Authorization
/// header only (one header, <c>Bearer</c> scheme), verifies it with <see cref="InternalTokenValidator"/>,
/// and answers challenges and forbids per RFC 6750.
/// </summary>
internal sealed class InternalTokenAuthenticationHandler : AuthenticationHandler<AuthenticationSchemeOptions>
{
    private const string ErrorKey = "reference:error";
    private const string BearerPrefix = "Bearer ";
    private readonly InternalTokenValidator _validator;

    public InternalTokenAuthenticationHandler(
        IOptionsMonitor<AuthenticationSchemeOptions> options,
        ILoggerFactory logger,
        UrlEncoder encoder,
        InternalTokenValidator validator)
        : base(options, logger, encoder)
    {
        _validator = validator;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var values = Request.Headers.Authorization;
        if (values.Count == 0)
        {
            return AuthenticateResult.NoResult();
        }

        if (values.Count > 1)
        {
            return Fail(BearerErrorResponse.InvalidRequest, "The request has more than one Authorization header.");
        }

        var value = values[0] ?? string.Empty;
        if (!value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            // Another scheme is not ours to judge; with no bearer token the request is unauthenticated.
            return AuthenticateResult.NoResult();
        }

        var token = value[BearerPrefix.Length..].Trim();
        if (token.Length == 0)
        {
            return Fail(BearerErrorResponse.InvalidRequest, "The bearer token is empty.");
        }

        var result = await _validator.ValidateAsync(token, Context.RequestAborted);
        if (result.Principal is null)
        {
            return Fail(BearerErrorResponse.InvalidToken, result.FailureDescription ?? "The token is invalid.");
        }

        return AuthenticateResult.Success(new AuthenticationTicket(result.Principal, Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        if (result.Failure is null)
        {
            await BearerErrorResponse.WriteAsync(Response, StatusCodes.Status401Unauthorized, BearerErrorResponse.MissingToken,
                "The request has no bearer token.", "Bearer");
            return;
        }

        var error = result.Properties?.Items.TryGetValue(ErrorKey, out var e) == true && e is not null ? e : BearerErrorResponse.InvalidToken;
        var description = result.Failure.Message;
        var status = error == BearerErrorResponse.InvalidRequest ? StatusCodes.Status400BadRequest : StatusCodes.Status401Unauthorized;
        await BearerErrorResponse.WriteAsync(Response, status, error, description, BearerErrorResponse.Challenge(error, description));
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        if (Context.Items.TryGetValue(ScopeRequirement.MissingScopesItemKey, out var missing) && missing is string scopes)
        {
            return BearerErrorResponse.WriteAsync(Response, StatusCodes.Status403Forbidden, BearerErrorResponse.InsufficientScope,
                $"The token lacks the scope(s): {scopes}.", BearerErrorResponse.Challenge(BearerErrorResponse.InsufficientScope, scope: scopes));
        }

        return BearerErrorResponse.WriteAsync(Response, StatusCodes.Status403Forbidden, BearerErrorResponse.AccessDenied,
            "The caller is not allowed to perform this request.", challenge: null);
    }

    private static AuthenticateResult Fail(string error, string description)
    {
        var properties = new AuthenticationProperties();
        properties.Items[ErrorKey] = error;
        return AuthenticateResult.Fail(description, properties);
    }
}
