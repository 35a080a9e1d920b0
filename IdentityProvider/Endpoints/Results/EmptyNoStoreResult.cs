namespace Reference.IdentityProvider.Endpoints.Results;

/// <summary>200 with no body (RFC 7009 §2.2: the revocation endpoint's answer, whatever became of the token).</summary>
internal sealed class EmptyNoStoreResult : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        NoStore.Apply(httpContext.Response);
        return Task.CompletedTask;
    }
}
