using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Reference.IdentityProvider.Keys;
using Reference.IdentityProvider.Options;
using Reference.IdentityProvider.Validation;
using static Reference.IdentityProvider.OAuthConstants;

namespace Reference.IdentityProvider.Tokens;

/// <summary>
/// RFC 9068 JWT access tokens: header <c>typ: at+jwt</c>, <c>alg</c>, <c>kid</c>; claims <c>iss</c>, <c>sub</c>,
/// <c>aud</c> (array of every API resource owning a granted scope), <c>client_id</c>, <c>iat</c>, <c>nbf</c>,
/// <c>exp</c>, <c>jti</c>, <c>scope</c> and the claims of <see cref="AccessTokenClaims"/>.
/// </summary>
/// <remarks>
/// Algorithm: ES256 only when every audience asks for ES256, otherwise RS256 — a token must verify at every
/// audience, and RS256 is the default every resource accepts. A token for no API resource (only OpenID scopes) is
/// for the IdentityProvider's own userinfo endpoint: its audience is the issuer.
/// </remarks>
internal sealed class JwtAccessTokenService(
    ISigningKeyRing keyRing,
    IOptions<IdentityProviderOptions> options,
    TimeProvider timeProvider) : IAccessTokenService
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public async ValueTask<AccessToken> CreateAsync(ValidatedTokenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        var algorithm = request.Resources.Count > 0 && request.Resources.All(r => r.SigningAlgorithm == SigningAlgorithms.ES256)
            ? SigningAlgorithms.ES256
            : SigningAlgorithms.RS256;
        var key = await keyRing.GetSigningKeyAsync(algorithm, cancellationToken);

        var (now, expires) = AccessTokenClaims.Lifetime(request, options.Value.AccessTokenLifetime, timeProvider);
        var tokenId = AccessTokenClaims.NewTokenId();

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            TokenType = TokenTypes.AccessTokenJwt,
            SigningCredentials = key.SigningCredentials,
            Claims = AccessTokenClaims.Build(request, tokenId),
        };
        foreach (var audience in Audiences(request, options.Value.Issuer!))
        {
            descriptor.Audiences.Add(audience);
        }

        return new AccessToken(_handler.CreateToken(descriptor), tokenId, algorithm, key.KeyId, now, expires);
    }

    public static IReadOnlyList<string> Audiences(ValidatedTokenRequest request, string issuer) =>
        request.Resources.Count > 0 ? [.. request.Resources.Select(r => r.Name)] : [issuer];
}
