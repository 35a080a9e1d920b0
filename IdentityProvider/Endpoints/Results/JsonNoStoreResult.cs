using System.Text.Json.Nodes;

namespace Reference.IdentityProvider.Endpoints.Results;

/// <summary>A 200 JSON body that must not be cached (introspection responses, RFC 7662 §2.2).</summary>
internal sealed class JsonNoStoreResult(JsonObject body) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => StatusCodes.Status200OK;

    public JsonObject Body => body;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        NoStore.Apply(httpContext.Response);
        return httpContext.Response.WriteAsJsonAsync(body, IdentityProviderJsonContext.Default.JsonObject, contentType: null, httpContext.RequestAborted);
    }
}
