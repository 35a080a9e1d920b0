using Reference.IdentityProvider.Endpoints;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the IdentityProvider's protocol endpoints.</summary>
public static class IdentityProviderEndpointRouteBuilderExtensions
{
    public static IEndpointRouteBuilder MapIdentityProviderEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet(EndpointPaths.Discovery, (HttpContext context, DiscoveryEndpoint endpoint) => endpoint.ProcessAsync(context));
        endpoints.MapGet(EndpointPaths.Jwks, (HttpContext context, JwksEndpoint endpoint) => endpoint.ProcessAsync(context));

        // Every method: a non-POST request gets RFC 6749's invalid_request instead of a bare 405.
        endpoints.Map(EndpointPaths.Token, (HttpContext context, TokenEndpoint endpoint) => endpoint.ProcessAsync(context));
        endpoints.Map(EndpointPaths.Introspection, (HttpContext context, IntrospectionEndpoint endpoint) => endpoint.ProcessAsync(context));
        endpoints.Map(EndpointPaths.Revocation, (HttpContext context, RevocationEndpoint endpoint) => endpoint.ProcessAsync(context));
        return endpoints;
    }
}
