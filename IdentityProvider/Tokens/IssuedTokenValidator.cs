using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Reference.IdentityProvider.Keys;
using Reference.IdentityProvider.Options;

namespace Reference.IdentityProvider.Tokens;

/// <summary>
/// Validates a JWT this IdentityProvider issued (ID tokens as <c>id_token_hint</c>; access tokens go through
/// <see cref="AccessTokenValidator"/>): only
/// our published keys, only the algorithms we sign with, exact <c>iss</c>, the expected <c>typ</c>, bounded size,
/// times against <see cref="TimeProvider"/>.
/// </summary>
internal sealed class IssuedTokenValidator(ISigningKeyRing keyRing, IOptions<IdentityProviderOptions> options, TimeProvider timeProvider)
{
    public const int MaxTokenLength = 16 * 1024;
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    /// <returns>The validated token, or null.</returns>
    public async ValueTask<JsonWebToken?> ValidateAsync(string token, string tokenType, bool validateLifetime, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return null;
        }

        var keys = await keyRing.GetPublishedKeysAsync(cancellationToken);
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = options.Value.Issuer,
            ValidateAudience = false,
            ValidTypes = [tokenType],
            ValidAlgorithms = [SigningAlgorithms.RS256, SigningAlgorithms.ES256],
            IssuerSigningKeys = keys.Select(k => (SecurityKey)k.SecurityKey).ToList(),
            TryAllIssuerSigningKeys = false,
            RequireExpirationTime = true,
            ValidateLifetime = validateLifetime,
            LifetimeValidator = validateLifetime
                ? (notBefore, expires, _, _) => expires is { } exp && now < exp + ClockSkew && (notBefore is null || notBefore <= now + ClockSkew)
                : null,
            RequireSignedTokens = true,
        };
        var result = await _handler.ValidateTokenAsync(token, parameters);
        return result.IsValid ? result.SecurityToken as JsonWebToken : null;
    }
}
