using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Reference.IdentityProvider.Keys;
using Reference.IdentityProvider.Options;
using Reference.IdentityProvider.Stores;
using Reference.IdentityProvider.Stores.ReferenceTokens;
using Reference.IdentityProvider.Stores.Revocations;
using static Reference.IdentityProvider.OAuthConstants;

namespace Reference.IdentityProvider.Tokens;

/// <summary>An access token this IdentityProvider issued, validated (signature, issuer, type, lifetime) or looked up.</summary>
internal sealed record ValidatedAccessToken(
    string TokenId,
    string ClientId,
    DateTimeOffset ExpiresAt,
    IReadOnlyList<string> Audiences,
    JsonObject Claims,
    string? ReferenceHash,
    bool Revoked);

/// <summary>
/// Recognises the IdentityProvider's own access tokens for introspection and revocation: RFC 9068 JWTs verified with
/// the published keys (pinned algorithms, exact <c>iss</c>, <c>typ</c> <c>at+jwt</c>, <c>exp</c>/<c>nbf</c> against the
/// TimeProvider), and reference tokens from Redis. <see cref="ValidatedAccessToken.Revoked"/> reports the denylist.
/// </summary>
internal sealed class AccessTokenValidator(
    ISigningKeyRing keyRing,
    RedisReferenceTokenStore referenceTokens,
    TokenRevocations revocations,
    IOptions<IdentityProviderOptions> options,
    TimeProvider timeProvider)
{
    public const int MaxTokenLength = 16 * 1024;

    private readonly JsonWebTokenHandler _handler = new();

    public async Task<ValidatedAccessToken?> ValidateJwtAsync(string token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (token.Length > MaxTokenLength || token.Count(c => c == '.') != 2)
        {
            return null;
        }

        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return null;
        }

        if (jwt.Alg is not (SigningAlgorithms.RS256 or SigningAlgorithms.ES256))
        {
            return null;
        }

        var keys = await keyRing.GetPublishedKeysAsync(cancellationToken);
        var result = await _handler.ValidateTokenAsync(jwt, new TokenValidationParameters
        {
            ValidIssuer = options.Value.Issuer,
            ValidateAudience = false, // the caller decides who may see the token
            ValidTypes = [TokenTypes.AccessTokenJwt],
            ValidAlgorithms = [SigningAlgorithms.RS256, SigningAlgorithms.ES256],
            IssuerSigningKeys = [.. keys.Select(k => (SecurityKey)k.SecurityKey)],
            TryAllIssuerSigningKeys = false,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = false, // checked below against the TimeProvider
        });
        if (!result.IsValid)
        {
            return null;
        }

        var now = timeProvider.GetUtcNow();
        if (jwt.ValidTo <= now.UtcDateTime || (jwt.ValidFrom != DateTime.MinValue && jwt.ValidFrom > now.UtcDateTime))
        {
            return null;
        }

        JsonObject? claims;
        try
        {
            claims = JsonNode.Parse(Base64Url.DecodeFromChars(jwt.EncodedPayload)) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }

        if (claims is null || string.IsNullOrEmpty(jwt.Id) || !jwt.TryGetPayloadValue<string>(Claims.ClientId, out var clientId))
        {
            return null;
        }

        var revoked = await IsRevokedAsync(jwt.Id, claims, cancellationToken);
        return new ValidatedAccessToken(jwt.Id, clientId, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero), [.. jwt.Audiences], claims, null, revoked);
    }

    /// <summary>The token's jti, and what it derives from (orig_jti), session and subject, against the shared denylist.</summary>
    private async Task<bool> IsRevokedAsync(string jti, JsonObject claims, CancellationToken cancellationToken)
    {
        var issuedAt = Seconds(claims["orig_iat"]) ?? Seconds(claims["iat"]);
        return await revocations.IsRevokedAsync(jti, StringValue(claims["sid"]), StringValue(claims[Claims.Subject]), issuedAt, cancellationToken)
            || (StringValue(claims["orig_jti"]) is { } original && await revocations.IsJtiRevokedAsync(original, cancellationToken));
    }

    private static string? StringValue(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;

    private static DateTimeOffset? Seconds(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<long>(out var seconds) && seconds is >= 0 and <= 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    public async Task<ValidatedAccessToken?> FindReferenceTokenAsync(string handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (!TokenHandles.HasHandleShape(handle) || await referenceTokens.FindAsync(handle, cancellationToken) is not var (hash, token))
        {
            return null;
        }

        if (JsonNode.Parse(token.ClaimsJson) is not JsonObject claims)
        {
            return null;
        }

        var audiences = claims["aud"] switch
        {
            JsonArray array => array.Select(a => a?.GetValue<string>()).OfType<string>().ToList(),
            JsonValue value => [value.GetValue<string>()],
            _ => [],
        };
        var revoked = await IsRevokedAsync(token.TokenId, claims, cancellationToken);
        return new ValidatedAccessToken(token.TokenId, token.ClientId, token.ExpiresAt, audiences, claims, hash, revoked);
    }
}
