using Reference.IdentityProvider.Stores;

namespace Reference.IdentityProvider.Validation;

/// <summary>Validates the grant of a token request whose client is already authenticated.</summary>
internal interface ITokenRequestValidator
{
    ValueTask<TokenRequestValidationResult> ValidateAsync(Client client, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken);
}
