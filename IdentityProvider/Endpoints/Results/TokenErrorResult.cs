using static Reference.IdentityProvider.OAuthConstants;

namespace Reference.IdentityProvider.Endpoints.Results;

/// <summary>
/// An RFC 6749 §5.2 error: 400, except <c>invalid_client</c>, which is 401 with a <c>Basic</c> challenge. RFC 6749
/// requires the challenge when the client used the Authorization header and allows it otherwise to name the
/// supported scheme; RFC 9110 §15.5.2 requires a challenge on every 401, so it is always sent.
/// <c>temporarily_unavailable</c> (operational storage down) is 503. <paramref name="statusCode"/> overrides the status
/// (e.g. 403 for an administrative endpoint the client is not entitled to).
/// </summary>
internal sealed class TokenErrorResult(string error, string? description, int? statusCode = null) : IResult, IStatusCodeHttpResult
{
    public const string BasicChallenge = "Basic realm=\"Reference IdentityProvider\", charset=\"UTF-8\"";

    public string Error => error;

    public string? ErrorDescription => description;

    public int? StatusCode => statusCode ?? error switch
    {
        Errors.InvalidClient => StatusCodes.Status401Unauthorized,
        Errors.TemporarilyUnavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status400BadRequest,
    };

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = StatusCode!.Value;
        NoStore.Apply(response);
        if (error == Errors.InvalidClient)
        {
            response.Headers.WWWAuthenticate = BasicChallenge;
        }

        return response.WriteAsJsonAsync(new TokenErrorResponse(error, description), IdentityProviderJsonContext.Default.TokenErrorResponse, contentType: null, httpContext.RequestAborted);
    }
}
