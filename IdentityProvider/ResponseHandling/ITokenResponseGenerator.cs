using Reference.IdentityProvider.Validation;

namespace Reference.IdentityProvider.ResponseHandling;

internal interface ITokenResponseGenerator
{
    ValueTask<TokenResponse> ProcessAsync(ValidatedTokenRequest request, CancellationToken cancellationToken);
}
