using Reference.IdentityProvider.Validation;

namespace Reference.IdentityProvider.Tokens;

/// <summary>Creates access tokens for validated requests.</summary>
/// <remarks><see cref="AccessTokenServiceSelector"/> is the registered implementation: RFC 9068 JWTs
/// (<see cref="JwtAccessTokenService"/>) or reference tokens (<see cref="ReferenceAccessTokenService"/>) per client.</remarks>
internal interface IAccessTokenService
{
    ValueTask<AccessToken> CreateAsync(ValidatedTokenRequest request, CancellationToken cancellationToken);
}
