using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
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
/// <c>exp</c>, <c>jti</c>, <c>scope</c> and the client's configured claims.
/// </summary>
/// <remarks>
/// Algorithm: ES256 only when every audience asks for ES256, otherwise RS256 — a token must verify at every
/// audience, and RS256 is the default every resource accepts.
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

        var algorithm = request.Resources.All(r => r.SigningAlgorithm == SigningAlgorithms.ES256)
            ? SigningAlgorithms.ES256
            : SigningAlgorithms.RS256;
        var key = await keyRing.GetSigningKeyAsync(algorithm, cancellationToken);

        // JWT NumericDates are whole seconds; truncating here makes exp - iat exactly the configured lifetime.
        var now = DateTimeOffset.FromUnixTimeSeconds(timeProvider.GetUtcNow().ToUnixTimeSeconds());
        var expires = now + (request.Client.AccessTokenLifetime ?? options.Value.AccessTokenLifetime);
        if (request.ExpiresNoLaterThan is { } bound)
        {
            // Whole seconds, never later than the bound (e.g. the exchanged subject token's exp).
            var truncated = DateTimeOffset.FromUnixTimeSeconds(bound.ToUnixTimeSeconds());
            expires = truncated < expires ? truncated : expires;
        }

        var tokenId = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

        var claims = new Dictionary<string, object>(StringComparer.Ordinal);
        if (request.SubjectId is null && request.User is null)
        {
            // The client's configured claims describe the client, so they belong only in tokens about the client.
            foreach (var (type, value) in request.Client.Claims)
            {
                claims[type] = value;
            }
        }

        foreach (var (type, value) in request.AdditionalClaims ?? new Dictionary<string, object>())
        {
            if (!Claims.Reserved.Contains(type))
            {
                claims[type] = value;
            }
        }

        if (request.Actor is { } actor)
        {
            // RFC 8693 §4.1; JsonElement is written verbatim by the token handler.
            using var document = JsonDocument.Parse(actor.ToJsonString());
            claims[Claims.Actor] = document.RootElement.Clone();
        }

        claims[Claims.Subject] = request.SubjectId ?? request.User?.SubjectId ?? request.Client.ClientId;
        claims[Claims.ClientId] = request.Client.ClientId;
        claims[Claims.Scope] = string.Join(' ', request.Scopes);
        claims[Claims.JwtId] = tokenId;

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            TokenType = TokenTypes.AccessTokenJwt,
            SigningCredentials = key.SigningCredentials,
            Claims = claims,
        };
        foreach (var resource in request.Resources)
        {
            descriptor.Audiences.Add(resource.Name);
        }

        return new AccessToken(_handler.CreateToken(descriptor), tokenId, algorithm, key.KeyId, now, expires);
    }
}
