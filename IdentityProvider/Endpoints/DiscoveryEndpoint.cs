using Reference.IdentityProvider.Endpoints.Results;
using Reference.IdentityProvider.ResponseHandling;

namespace Reference.IdentityProvider.Endpoints;

internal sealed class DiscoveryEndpoint(IDiscoveryResponseGenerator generator) : IEndpointHandler
{
    public async Task<IResult> ProcessAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var activity = IdentityProviderTelemetry.ActivitySource.StartActivity(nameof(DiscoveryEndpoint));
        var document = await generator.CreateDiscoveryDocumentAsync(context.RequestAborted);
        return new MetadataResult<DiscoveryDocument>(document, IdentityProviderJsonContext.Default.DiscoveryDocument);
    }
}
