using System.Globalization;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Reference.IdentityProvider.Keys;
using Reference.IdentityProvider.Options;
using Reference.Redis;
using static Reference.IdentityProvider.OAuthConstants;

namespace Reference.IdentityProvider.Validation.TokenExchange;

/// <summary>
/// Validates a token presented to the token endpoint (RFC 8693 <c>subject_token</c> / <c>actor_token</c>) as one of
/// this IdentityProvider's own RFC 9068 access tokens: signed by a published key (the current, next or a retired
/// one), exact <c>iss</c>, <c>typ: at+jwt</c> (so an ID token or a logout token never passes), RS256/ES256 only,
/// within <c>nbf</c>/<c>exp</c> by <see cref="ClockSkew"/>, with <c>sub</c> and <c>jti</c>, and not on the shared
/// denylist (<c>revoked:jti:{jti}</c>, <c>revoked:sid:{sid}</c>, <c>revoked:sub:{sub}</c>, not prefixed).
/// </summary>
internal sealed class SubjectTokenValidator(
    ISigningKeyRing keyRing,
    RedisClient redis,
    IOptions<IdentityProviderOptions> options,
    TimeProvider timeProvider)
{
    /// <summary>Tokens larger than this are not ours (ours are well under 4 KiB).</summary>
    public const int MaxTokenLength = 8 * 1024;

    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(5);

    private readonly JsonWebTokenHandler _handler = new();

    /// <returns>The validated token, or a failure reason for logs (never for the client: it would be an oracle).</returns>
    /// <exception cref="RedisException">The denylist could not be read; the caller answers temporarily_unavailable.</exception>
    public async ValueTask<(JsonWebToken? Token, string? Failure)> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        if (token.Length > MaxTokenLength)
        {
            return (null, "too large");
        }

        var keys = await keyRing.GetPublishedKeysAsync(cancellationToken);
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = options.Value.Issuer,
            ValidateAudience = false,
            ValidTypes = [TokenTypes.AccessTokenJwt],
            ValidAlgorithms = SigningAlgorithms.Supported,
            IssuerSigningKeys = [.. keys.Select(k => k.SecurityKey)],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateIssuerSigningKey = true,
            TryAllIssuerSigningKeys = false,

            // Against the injected clock, so that tests (and the fake time they use) see the same instants.
            LifetimeValidator = (notBefore, expires, _, _) =>
            {
                var now = timeProvider.GetUtcNow().UtcDateTime;
                return expires is { } exp && now < exp + ClockSkew && (notBefore is not { } nbf || nbf <= now + ClockSkew);
            },
        };

        TokenValidationResult result;
        try
        {
            result = await _handler.ValidateTokenAsync(token, parameters);
        }
        catch (ArgumentException)
        {
            return (null, "malformed");
        }

        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return (null, result.Exception?.GetType().Name ?? "invalid");
        }

        if (!jwt.TryGetPayloadValue<string>(Claims.Subject, out var subject) || string.IsNullOrEmpty(subject)
            || !jwt.TryGetPayloadValue<string>(Claims.JwtId, out var jti) || string.IsNullOrEmpty(jti))
        {
            return (null, "missing sub or jti");
        }

        if (await IsRevokedAsync(jwt, subject, jti, cancellationToken))
        {
            return (null, "revoked");
        }

        return (jwt, null);
    }

    private async ValueTask<bool> IsRevokedAsync(JsonWebToken jwt, string subject, string jti, CancellationToken cancellationToken)
    {
        List<string> keys = [$"revoked:jti:{jti}"];
        if (jwt.TryGetPayloadValue<string>("sid", out var sid) && !string.IsNullOrEmpty(sid))
        {
            keys.Add($"revoked:sid:{sid}");
        }

        if (await redis.ExistsAsync(keys, cancellationToken) > 0)
        {
            return true;
        }

        // revoked:sub holds the revocation instant: every token of the subject issued at or before it is revoked.
        var revokedAt = (string?)await redis.GetAsync($"revoked:sub:{subject}", cancellationToken);
        return revokedAt is not null
            && long.TryParse(revokedAt, NumberStyles.Integer, CultureInfo.InvariantCulture, out var instant)
            && new DateTimeOffset(jwt.IssuedAt, TimeSpan.Zero).ToUnixTimeSeconds() <= instant;
    }
}
