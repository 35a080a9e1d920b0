using Reference.IdentityProvider.Validation;

namespace Reference.IdentityProvider.Tokens;

/// <summary>The <see cref="IAccessTokenService"/> the token endpoint uses: reference tokens for clients configured
/// with <c>AccessTokenType: Reference</c>, RFC 9068 JWTs otherwise.</summary>
internal sealed class AccessTokenServiceSelector(JwtAccessTokenService jwt, ReferenceAccessTokenService reference) : IAccessTokenService
{
    public ValueTask<AccessToken> CreateAsync(ValidatedTokenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Client.UsesReferenceTokens ? reference.CreateAsync(request, cancellationToken) : jwt.CreateAsync(request, cancellationToken);
    }
}
