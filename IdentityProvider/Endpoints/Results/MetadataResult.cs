using System.Text.Json.Serialization.Metadata;

namespace Reference.IdentityProvider.Endpoints.Results;

/// <summary>Discovery and JWKS: public, cacheable for a short while. Five minutes matches the gateway's JWKS cache
/// TTL; issue 4's key rotation publishes a key well before it signs, so caches never miss a key in use.</summary>
internal sealed class MetadataResult<T>(T document, JsonTypeInfo<T> typeInfo) : IResult, IStatusCodeHttpResult
{
    public const string CacheControl = "public, max-age=300";

    public int? StatusCode => StatusCodes.Status200OK;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.Headers.CacheControl = CacheControl;
        return httpContext.Response.WriteAsJsonAsync(document, typeInfo, contentType: null, httpContext.RequestAborted);
    }
}
