using System.Collections.Frozen;
using Reference.IdentityProvider.Stores;
using static Reference.IdentityProvider.OAuthConstants;

namespace Reference.IdentityProvider.Validation;

/// <summary>
/// grant_type, then the client's permission to use it, then the grant's own <see cref="IGrantValidator"/>.
/// </summary>
internal sealed class TokenRequestValidator(IEnumerable<IGrantValidator> grantValidators) : ITokenRequestValidator
{
    private readonly FrozenDictionary<string, IGrantValidator> _validators =
        grantValidators.ToFrozenDictionary(v => v.GrantType, StringComparer.Ordinal);

    /// <summary>The grant types this server implements, for <c>grant_types_supported</c>.</summary>
    public IEnumerable<string> ImplementedGrantTypes => GrantTypeNames.Supported.Where(_validators.ContainsKey);

    public async ValueTask<TokenRequestValidationResult> ValidateAsync(Client client, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(parameters);

        if (!parameters.TryGetValue(TokenRequestParameters.GrantType, out var grantType))
        {
            return TokenRequestValidationResult.Failure(Errors.InvalidRequest, "grant_type is required.");
        }

        if (!_validators.TryGetValue(grantType, out var validator))
        {
            return TokenRequestValidationResult.Failure(Errors.UnsupportedGrantType, "This grant type is not supported.");
        }

        if (!client.AllowedGrantTypes.Contains(grantType))
        {
            return TokenRequestValidationResult.Failure(Errors.UnauthorizedClient, "The client is not allowed to use this grant type.");
        }

        return await validator.ValidateAsync(client, parameters, cancellationToken);
    }
}
