using Reference.IdentityProvider.Validation;

namespace Reference.IdentityProvider.Tokens;

/// <summary>Creates access tokens for validated requests.</summary>
/// <remarks>Issue 4 adds reference (opaque) tokens behind the same interface.</remarks>
internal interface IAccessTokenService
{
    ValueTask<AccessToken> CreateAsync(ValidatedTokenRequest request, CancellationToken cancellationToken);
}
