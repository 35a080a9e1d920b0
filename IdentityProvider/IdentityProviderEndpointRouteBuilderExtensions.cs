using Reference.IdentityProvider.Account;
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
        endpoints.Map(EndpointPaths.SubjectRevocation, (HttpContext context, SubjectRevocationEndpoint endpoint) => endpoint.ProcessAsync(context));

        // Browser-facing: the login page, the authorization endpoint, userinfo, logout.
        string[] getPost = [HttpMethods.Get, HttpMethods.Post];
        endpoints.MapMethods(EndpointPaths.Login, getPost, (HttpContext context, LoginEndpoint endpoint) => endpoint.ProcessAsync(context));
        endpoints.MapMethods(EndpointPaths.Authorize, getPost, (HttpContext context, AuthorizeEndpoint endpoint) => endpoint.ProcessAsync(context));
        endpoints.MapMethods(EndpointPaths.UserInfo, getPost, (HttpContext context, UserInfoEndpoint endpoint) => endpoint.ProcessAsync(context));
        endpoints.MapMethods(EndpointPaths.EndSession, getPost, (HttpContext context, EndSessionEndpoint endpoint) => endpoint.ProcessAsync(context));
        endpoints.MapMethods(EndpointPaths.Logout, getPost, (HttpContext context, EndSessionEndpoint endpoint) => endpoint.ProcessAsync(context));
        return endpoints;
    }
}
