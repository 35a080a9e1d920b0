using Reference.IdentityProvider.Stores;
using static Reference.IdentityProvider.OAuthConstants;

namespace Reference.IdentityProvider.Validation;

/// <summary>
/// Chooses the client authentication method from what the request carries, and allows exactly one (RFC 6749 §2.3):
/// <c>client_secret_basic</c> / <c>client_secret_post</c> (<see cref="ClientSecretAuthenticator"/>),
/// <c>private_key_jwt</c> (<see cref="PrivateKeyJwtAuthenticator"/>), or <c>none</c> — a public client sending only
/// its <c>client_id</c>, allowed for the authorization code and refresh token grants only.
/// </summary>
internal sealed class ClientAuthenticator(
    ClientSecretAuthenticator secrets,
    PrivateKeyJwtAuthenticator privateKeyJwt,
    IClientStore clients) : IClientAuthenticator
{
    public IReadOnlyList<string> SupportedMethods { get; } =
    [
        ClientAuthenticationMethods.ClientSecretBasic,
        ClientAuthenticationMethods.ClientSecretPost,
        ClientAuthenticationMethods.PrivateKeyJwt,
        ClientAuthenticationMethods.None,
    ];

    public async ValueTask<ClientAuthenticationResult> AuthenticateAsync(HttpRequest request, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(parameters);

        var hasHeader = request.Headers.Authorization.Count > 0;
        var hasSecret = parameters.ContainsKey(TokenRequestParameters.ClientSecret);
        var hasAssertion = parameters.ContainsKey(TokenRequestParameters.ClientAssertion) || parameters.ContainsKey(TokenRequestParameters.ClientAssertionType);
        if (hasAssertion && (hasHeader || hasSecret))
        {
            return ClientAuthenticationResult.Failure(Errors.InvalidRequest, "Use only one client authentication method per request.");
        }

        if (hasAssertion)
        {
            return await privateKeyJwt.AuthenticateAsync(parameters, cancellationToken);
        }

        if (hasHeader || hasSecret)
        {
            return await secrets.AuthenticateAsync(request, parameters, cancellationToken);
        }

        return await AuthenticatePublicClientAsync(parameters, cancellationToken);
    }

    private async ValueTask<ClientAuthenticationResult> AuthenticatePublicClientAsync(IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        const string Required = "Client authentication is required (client_secret_basic, client_secret_post or private_key_jwt).";
        if (!parameters.TryGetValue(TokenRequestParameters.ClientId, out var clientId) || !ClientIdSyntax.IsValid(clientId))
        {
            return ClientAuthenticationResult.Failure(Errors.InvalidClient, Required);
        }

        var client = await clients.FindClientByIdAsync(clientId, cancellationToken);
        if (client is not { IsPublic: true })
        {
            return ClientAuthenticationResult.Failure(Errors.InvalidClient, Required, clientId, ClientAuthenticationMethods.None);
        }

        if (parameters.TryGetValue(TokenRequestParameters.GrantType, out var grantType)
            && grantType is not (GrantTypes.AuthorizationCode or GrantTypes.RefreshToken))
        {
            return ClientAuthenticationResult.Failure(Errors.InvalidClient, "A public client may use only the authorization_code and refresh_token grants.", clientId, ClientAuthenticationMethods.None);
        }

        return ClientAuthenticationResult.Success(client, ClientAuthenticationMethods.None);
    }
}
