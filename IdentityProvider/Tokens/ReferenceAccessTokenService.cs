using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Reference.IdentityProvider.Options;
using Reference.IdentityProvider.Stores.ReferenceTokens;
using Reference.IdentityProvider.Validation;

namespace Reference.IdentityProvider.Tokens;

/// <summary>
/// Reference (opaque) access tokens: a 256-bit random handle; the claims a JWT would carry are stored in Redis under
/// the handle's SHA-256 for the token's lifetime, and resource servers learn them through introspection.
/// </summary>
internal sealed class ReferenceAccessTokenService(
    RedisReferenceTokenStore store,
    IOptions<IdentityProviderOptions> options,
    TimeProvider timeProvider) : IAccessTokenService
{
    public const string Format = "reference";

    public async ValueTask<AccessToken> CreateAsync(ValidatedTokenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var issuer = options.Value.Issuer!;
        var (now, expires) = AccessTokenClaims.Lifetime(request, options.Value.AccessTokenLifetime, timeProvider);
        var tokenId = AccessTokenClaims.NewTokenId();

        var claims = AccessTokenClaims.ToJson(AccessTokenClaims.Build(request, tokenId));
        claims["iss"] = issuer;
        claims["aud"] = new JsonArray([.. JwtAccessTokenService.Audiences(request, issuer).Select(a => (JsonNode?)JsonValue.Create(a))]);
        claims["iat"] = now.ToUnixTimeSeconds();
        claims["nbf"] = now.ToUnixTimeSeconds();
        claims["exp"] = expires.ToUnixTimeSeconds();

        var handle = await store.CreateAsync(new ReferenceToken(request.Client.ClientId, tokenId, expires, claims.ToJsonString()), cancellationToken);
        return new AccessToken(handle, tokenId, Format, Format, now, expires);
    }
}
