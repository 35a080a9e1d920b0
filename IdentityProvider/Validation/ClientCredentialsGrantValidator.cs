using Reference.IdentityProvider.Stores;
using static Reference.IdentityProvider.OAuthConstants;

namespace Reference.IdentityProvider.Validation;

/// <summary><c>client_credentials</c> (RFC 6749 §4.4): the client acts on its own behalf; <c>sub</c> is the client.</summary>
internal sealed class ClientCredentialsGrantValidator(IResourceStore resources) : IGrantValidator
{
    public string GrantType => GrantTypes.ClientCredentials;

    public async ValueTask<TokenRequestValidationResult> ValidateAsync(Client client, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(parameters);

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
