using Reference.IdentityProvider.Stores;
using static Reference.IdentityProvider.OAuthConstants;

namespace Reference.IdentityProvider.Validation;

/// <summary>
/// grant_type, then the client's permission to use it, then the grant itself. Issue 4 adds
/// <c>authorization_code</c>, <c>refresh_token</c> and token exchange, each as its own Validate* method here.
/// </summary>
internal sealed class TokenRequestValidator(IResourceStore resources) : ITokenRequestValidator
{
    public static IReadOnlyList<string> SupportedGrantTypes { get; } = [GrantTypes.ClientCredentials];

    public async ValueTask<TokenRequestValidationResult> ValidateAsync(Client client, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(parameters);

        if (!parameters.TryGetValue(TokenRequestParameters.GrantType, out var grantType))
        {
            return TokenRequestValidationResult.Failure(Errors.InvalidRequest, "grant_type is required.");
        }

        if (!SupportedGrantTypes.Contains(grantType, StringComparer.Ordinal))
        {
            return TokenRequestValidationResult.Failure(Errors.UnsupportedGrantType, "This grant type is not supported.");
        }

        if (!client.AllowedGrantTypes.Contains(grantType))
        {
            return TokenRequestValidationResult.Failure(Errors.UnauthorizedClient, "The client is not allowed to use this grant type.");
        }

        return grantType switch
        {
            GrantTypes.ClientCredentials => await ValidateClientCredentialsAsync(client, parameters, cancellationToken),
            _ => TokenRequestValidationResult.Failure(Errors.UnsupportedGrantType, "This grant type is not supported."),
        };
    }

    private async ValueTask<TokenRequestValidationResult> ValidateClientCredentialsAsync(Client client, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> scopes;
        if (parameters.TryGetValue(TokenRequestParameters.Scope, out var scopeParameter))
        {
            var requested = ScopeSyntax.Parse(scopeParameter);
            if (requested is null)
            {
                return TokenRequestValidationResult.Failure(Errors.InvalidScope, "The scope parameter is malformed (RFC 6749 §3.3).");
            }

            if (!requested.All(s => client.AllowedScopes.Contains(s, StringComparer.Ordinal)))
            {
                return TokenRequestValidationResult.Failure(Errors.InvalidScope, "A requested scope is unknown or not allowed for this client.");
            }

            scopes = requested;
        }
        else
        {
            // RFC 6749 §3.3 lets the server apply a default; ours is everything the client may have.
            scopes = client.AllowedScopes;
        }

        var allResources = await resources.GetAllApiResourcesAsync(cancellationToken);
        var audiences = allResources.Where(r => r.Scopes.Any(s => scopes.Contains(s, StringComparer.Ordinal))).ToList();

        // Every allowed scope belongs to a resource (checked at start); a resource removed since is still refused here.
        if (audiences.Count == 0 || !scopes.All(s => audiences.Any(r => r.Scopes.Contains(s, StringComparer.Ordinal))))
        {
            return TokenRequestValidationResult.Failure(Errors.InvalidScope, "A requested scope is unknown or not allowed for this client.");
        }

        return TokenRequestValidationResult.Success(new ValidatedTokenRequest(client, GrantTypes.ClientCredentials, scopes, audiences));
    }
}
