using Microsoft.Extensions.Options;
using Reference.IdentityProvider.Endpoints;
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
/// <remarks>
/// This slice has no authorization endpoint, ID tokens or userinfo, so <c>authorization_endpoint</c>,
/// <c>subject_types_supported</c> and <c>id_token_signing_alg_values_supported</c> are absent and
/// <c>response_types_supported</c> (required by RFC 8414 §2) is an honest empty list. Issue 4 adds
/// <c>authorization_endpoint</c> and <c>response_types_supported: ["code"]</c>, <c>code_challenge_methods_supported:
/// ["S256"]</c>, the OIDC fields for ID tokens (<c>subject_types_supported</c>,
/// <c>id_token_signing_alg_values_supported</c>, <c>userinfo_endpoint</c>), <c>introspection_endpoint</c>,
/// <c>revocation_endpoint</c>, <c>end_session_endpoint</c>, <c>backchannel_logout_supported</c>,
/// <c>authorization_response_iss_parameter_supported</c>, the further grant types and <c>private_key_jwt</c>.
/// </remarks>
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

        // claims_supported: the claims access tokens can carry about their subject (protocol claims such as iss or
        // exp are not listed, as in the OIDC registry), including every claim type configured on a client.
        var claims = new SortedSet<string>(StringComparer.Ordinal) { Claims.Subject, Claims.ClientId, Claims.Scope };
        foreach (var clientId in options.Value.Clients.Keys)
        {
            if (await clients.FindClientByIdAsync(clientId, cancellationToken) is { } client)
            {
                claims.UnionWith(client.Claims.Keys);
            }
        }

        return new DiscoveryDocument
        {
            Issuer = issuer,
            JwksUri = issuer + EndpointPaths.Jwks,
            TokenEndpoint = issuer + EndpointPaths.Token,
            ScopesSupported = [.. apiResources.SelectMany(r => r.Scopes).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            ClaimsSupported = [.. claims],
            ResponseTypesSupported = [],
            GrantTypesSupported = [.. requestValidator.ImplementedGrantTypes],
            TokenEndpointAuthMethodsSupported = clientAuthenticator.SupportedMethods,
        };
    }
}
