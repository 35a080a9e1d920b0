using Reference.IdentityProvider.Endpoints.Results;
using Reference.IdentityProvider.ResponseHandling;

namespace Reference.IdentityProvider.Endpoints;

internal sealed class JwksEndpoint(IJwksResponseGenerator generator) : IEndpointHandler
{
    public async Task<IResult> ProcessAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var activity = IdentityProviderTelemetry.ActivitySource.StartActivity(nameof(JwksEndpoint));
        var document = await generator.CreateJwksDocumentAsync(context.RequestAborted);
        return new MetadataResult<JsonWebKeySetDocument>(document, IdentityProviderJsonContext.Default.JsonWebKeySetDocument);
    }
}
