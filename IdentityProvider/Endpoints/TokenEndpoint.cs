using System.Diagnostics;
using Reference.IdentityProvider.Endpoints.Results;
using Reference.IdentityProvider.RateLimiting;
using Reference.IdentityProvider.ResponseHandling;
using Reference.IdentityProvider.Validation;
using Reference.Redis;
using static Reference.IdentityProvider.OAuthConstants;

namespace Reference.IdentityProvider.Endpoints;

/// <summary>
/// <c>POST /connect/token</c> (RFC 6749 §3.2): method and content type, bounded form, client authentication,
/// per-client rate limit (429 <c>slow_down</c>), grant validation, response. Mapped for every method so that a GET gets an RFC 6749 error, not a bare 405.
/// </summary>
internal sealed class TokenEndpoint(
    IClientAuthenticator clientAuthenticator,
    ITokenRequestValidator requestValidator,
    ITokenResponseGenerator responseGenerator,
    IdentityProviderTelemetry telemetry,
    TokenClientThrottle throttle,
    ILogger<TokenEndpoint> logger) : IEndpointHandler
{
    public async Task<IResult> ProcessAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var activity = IdentityProviderTelemetry.ActivitySource.StartActivity(nameof(TokenEndpoint));
        var (parameters, formError) = await FormRequestReader.ReadPostedFormAsync(context.Request, "token", context.RequestAborted);
        if (parameters is null)
        {
            return Error(activity, Errors.InvalidRequest, formError);
        }

        try
        {
            return await ProcessFormAsync(context, activity, parameters);
        }
        catch (RedisException ex)
        {
            // Never a 500 and never an unrecorded token: every Redis write precedes the response.
            TokenLifecycleLog.StorageUnavailable(logger, EndpointPaths.Token, ex);
            return Error(activity, Errors.TemporarilyUnavailable, "The authorization server is temporarily unavailable; retry later.");
        }
    }

    private async Task<IResult> ProcessFormAsync(HttpContext context, Activity? activity, IReadOnlyDictionary<string, string> parameters)
    {
        var authentication = await clientAuthenticator.AuthenticateAsync(context.Request, parameters, context.RequestAborted);
        if (authentication.IsError)
        {
            TokenEndpointLog.ClientAuthenticationFailed(logger, authentication.Error, authentication.PresentedClientId, authentication.Method ?? "none", authentication.ErrorDescription);
            return Error(activity, authentication.Error, authentication.ErrorDescription, logged: true);
        }

        var client = authentication.Client;
        activity?.SetTag(IdentityProviderTelemetry.ClientIdTag, client.ClientId);

        // Per authenticated client, so that nobody can spend another client's budget by naming its client_id.
        var rate = await throttle.AcquireAsync(client.ClientId, context.RequestAborted);
        if (!rate.IsAllowed)
        {
            TokenEndpointLog.RateLimited(logger, client.ClientId, rate.RetryAfterSeconds);
            activity?.SetStatus(ActivityStatusCode.Error, TokenRateLimitedResult.Error);
            return rate.IsUnavailable ? TokenRateLimitUnavailable.Create() : new TokenRateLimitedResult(rate.RetryAfter);
        }
        parameters.TryGetValue(TokenRequestParameters.GrantType, out var grantType);
        var knownGrantType = grantType is not null && client.AllowedGrantTypes.Contains(grantType) ? grantType : null;
        activity?.SetTag(IdentityProviderTelemetry.GrantTypeTag, knownGrantType);

        var validation = await requestValidator.ValidateAsync(client, parameters, context.RequestAborted);
        if (validation.IsError)
        {
            return Error(activity, validation.Error, validation.ErrorDescription, client.ClientId, knownGrantType);
        }

        try
        {
            var response = await responseGenerator.ProcessAsync(validation.Request, context.RequestAborted);
            return new TokenResult(response);
        }
        catch (TokenRequestRejectedException ex)
        {
            return Error(activity, ex.Error, ex.Message, client.ClientId, knownGrantType);
        }
    }

    private TokenErrorResult Error(Activity? activity, string error, string? description, string? clientId = null, string? grantType = null, bool logged = false)
    {
        activity?.SetTag(IdentityProviderTelemetry.ErrorTag, error);
        activity?.SetStatus(ActivityStatusCode.Error, error);
        telemetry.TokenError(error, grantType, clientId);
        if (!logged)
        {
            TokenEndpointLog.TokenRequestRejected(logger, error, clientId, description);
        }

        return new TokenErrorResult(error, description);
    }
}
