using Microsoft.Extensions.Options;
using Reference.IdentityProvider.Endpoints;
using Reference.IdentityProvider.Keys;
using Reference.IdentityProvider.Options;
using Reference.IdentityProvider.Stores;
using Reference.IdentityProvider.Validation;
using static Reference.IdentityProvider.OAuthConstants;

namespace Reference.IdentityProvider.ResponseHandling;

/// <summary>
/// Advertises only what exists. Every URL is built from the configured issuer, never from the request's Host, so a
/// spoofed Host or X-Forwarded-Host cannot redirect clients. An issuer with a path (<c>https://host/idp</c>) needs
/// the IdentityProvider hosted under that path base (a reverse proxy or <c>UsePathBase</c>).
/// </summary>
internal sealed class DiscoveryResponseGenerator(
    IOptions<IdentityProviderOptions> options,
    IResourceStore resources,
    IClientStore clients,
    IClientAuthenticator clientAuthenticator,
    ITokenRequestValidator requestValidator) : IDiscoveryResponseGenerator
{
    public async ValueTask<DiscoveryDocument> CreateDiscoveryDocumentAsync(CancellationToken cancellationToken)
    {
        var issuer = options.Value.Issuer!;
        var apiResources = await resources.GetAllApiResourcesAsync(cancellationToken);

        // claims_supported: the claims ID tokens, userinfo and access tokens can carry about their subject (protocol
        // claims such as iss or exp are not listed, as in the OIDC registry), including every client's configured claims.
        var claims = new SortedSet<string>(StringComparer.Ordinal)
        {
            Claims.Subject, Claims.ClientId, Claims.Scope, "name", "preferred_username", "email", "email_verified",
            "tenant_id", "auth_time", "amr", "sid", "azp",
        };
        foreach (var clientId in options.Value.Clients.Keys)
        {
            if (await clients.FindClientByIdAsync(clientId, cancellationToken) is { } client)
            {
                claims.UnionWith(client.Claims.Keys);
            }
        }

        var authMethods = clientAuthenticator.SupportedMethods;
        return new DiscoveryDocument
        {
            Issuer = issuer,
            AuthorizationEndpoint = issuer + EndpointPaths.Authorize,
            TokenEndpoint = issuer + EndpointPaths.Token,
            UserInfoEndpoint = issuer + EndpointPaths.UserInfo,
            JwksUri = issuer + EndpointPaths.Jwks,
            EndSessionEndpoint = issuer + EndpointPaths.EndSession,
            IntrospectionEndpoint = issuer + EndpointPaths.Introspection,
            RevocationEndpoint = issuer + EndpointPaths.Revocation,
            ScopesSupported =
            [
                .. IdentityScopes.All,
                .. apiResources.SelectMany(r => r.Scopes).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal),
            ],
            ClaimsSupported = [.. claims],
            ResponseTypesSupported = ["code"],
            ResponseModesSupported = ["query"],
            GrantTypesSupported = [.. requestValidator.ImplementedGrantTypes],
            SubjectTypesSupported = ["public"],
            IdTokenSigningAlgValuesSupported = [SigningAlgorithms.RS256],
            CodeChallengeMethodsSupported = ["S256"],
            TokenEndpointAuthMethodsSupported = authMethods,
            IntrospectionEndpointAuthMethodsSupported = authMethods,
            RevocationEndpointAuthMethodsSupported = authMethods,
            PromptValuesSupported = ["none", "login"],
            ClaimsParameterSupported = false,
            RequestParameterSupported = false,
            RequestUriParameterSupported = false,
            BackChannelLogoutSupported = true,
            BackChannelLogoutSessionSupported = true,
            AuthorizationResponseIssParameterSupported = true,
        };
    }
}
