using Reference.IdentityProvider.Stores;

namespace Reference.IdentityProvider.Validation;

/// <summary>
/// Validates one grant type's token request, after the client has authenticated and is known to be allowed the
/// grant. One implementation per grant, registered with <c>TryAddEnumerable</c>; the token endpoint dispatches on
/// <see cref="GrantType"/> and answers <c>unsupported_grant_type</c> for a grant nobody registered.
/// </summary>
internal interface IGrantValidator
{
    /// <summary>The <c>grant_type</c> value this validator handles.</summary>
    string GrantType { get; }

    ValueTask<TokenRequestValidationResult> ValidateAsync(Client client, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken);
}
