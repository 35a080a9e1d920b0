using Reference.IdentityProvider.Stores;

namespace Reference.IdentityProvider.Validation;

/// <summary>Validates the grant of a token request whose client is already authenticated.</summary>
internal interface ITokenRequestValidator
{
    /// <summary>The grant types with a registered validator, for discovery's <c>grant_types_supported</c>.</summary>
    IEnumerable<string> ImplementedGrantTypes { get; }

    ValueTask<TokenRequestValidationResult> ValidateAsync(Client client, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken);
}
