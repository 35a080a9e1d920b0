using System.Globalization;
using Reference.IdentityProvider.Endpoints.Results;
using Reference.ServiceDefaults.RateLimiting;
using static Reference.IdentityProvider.OAuthConstants;

namespace Reference.IdentityProvider.RateLimiting;

/// <summary>
/// The login page's 429: one fixed message for every cause (IP or username rate, IP or username lockout), so the
/// page never says whether a username exists or which limit was hit; <c>Retry-After</c> in whole seconds.
/// </summary>
internal sealed class LoginRateLimitedResult(TimeSpan retryAfter) : IResult, IStatusCodeHttpResult
{
    public const string Message = "Too many sign-in attempts. Please wait a while and try again.";

    public int? StatusCode => StatusCodes.Status429TooManyRequests;

    public TimeSpan RetryAfter => retryAfter;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.Headers.RetryAfter = RetryAfterHeader.Seconds(retryAfter).ToString(CultureInfo.InvariantCulture);
        return HtmlResult.Error("Too many attempts", Message, StatusCodes.Status429TooManyRequests).ExecuteAsync(httpContext);
    }
}

/// <summary>
/// The token endpoint's 429: an RFC 6749 §5.2-shaped body with the error code <c>slow_down</c> (registered for the
/// token endpoint by RFC 8628 §3.5 with the meaning "back off"), <c>Retry-After</c> and <c>Cache-Control: no-store</c>.
/// </summary>
internal sealed class TokenRateLimitedResult(TimeSpan retryAfter) : IResult, IStatusCodeHttpResult
{
    public const string Error = "slow_down";

    public int? StatusCode => StatusCodes.Status429TooManyRequests;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        NoStore.Apply(response);
        response.Headers.RetryAfter = RetryAfterHeader.Seconds(retryAfter).ToString(CultureInfo.InvariantCulture);
        return response.WriteAsJsonAsync(
            new TokenErrorResponse(Error, "Too many token requests for this client; retry after the Retry-After delay."),
            IdentityProviderJsonContext.Default.TokenErrorResponse,
            contentType: null,
            httpContext.RequestAborted);
    }
}

/// <summary>The limiter's fail-closed answer on the token endpoint: RFC 6749 <c>temporarily_unavailable</c>, 503.</summary>
internal static class TokenRateLimitUnavailable
{
    public static TokenErrorResult Create() => new(Errors.TemporarilyUnavailable, "The authorization server is temporarily unavailable; retry later.");
}
