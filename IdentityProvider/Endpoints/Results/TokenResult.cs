using Reference.IdentityProvider.ResponseHandling;

namespace Reference.IdentityProvider.Endpoints.Results;

internal sealed class TokenResult(TokenResponse response) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        NoStore.Apply(httpContext.Response);
        return httpContext.Response.WriteAsJsonAsync(response, IdentityProviderJsonContext.Default.TokenResponse, contentType: null, httpContext.RequestAborted);
    }
}
