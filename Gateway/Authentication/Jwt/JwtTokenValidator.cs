using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Reference.Gateway.Authentication.Jwt;

internal readonly record struct JwtValidationResult(AuthenticatedCaller? Caller, JwtValidationFailure? Failure);

/// <summary>
/// Validates a public access token: the structural pre-checks (<see cref="JwtPreValidator"/>), then the key
/// by <c>kid</c> from the issuer's cached JWKS, then signature and claims with strict
/// <see cref="TokenValidationParameters"/>, then the checks the handler does not make (<c>iat</c> in the future,
/// a required <c>sub</c>). A token accepted before is answered from the <see cref="ValidatedTokenCache"/> (by its
/// SHA-256) while its issuer's key set is the one it was verified with and it is more than a second from expiry.
/// </summary>
internal sealed class JwtTokenValidator
{
    private static readonly Dictionary<string, string> CurveByAlgorithm = new(StringComparer.Ordinal)
    {
        ["ES256"] = "P-256",
        ["ES384"] = "P-384",
        ["ES512"] = "P-521",
    };

    private readonly JwksCacheRegistry _caches;
    private readonly JwtValidationOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly Dictionary<string, IssuerValidation> _issuers = new(StringComparer.Ordinal);
    private readonly ValidatedTokenCache _validated;

    public JwtTokenValidator(
        JwksCacheRegistry caches, IOptions<JwtValidationOptions> options, TimeProvider timeProvider, ValidatedTokenCache? validated = null)
    {
        ArgumentNullException.ThrowIfNull(caches);
        ArgumentNullException.ThrowIfNull(options);
        _caches = caches;
        _options = options.Value;
        _timeProvider = timeProvider;
        _validated = validated ?? new ValidatedTokenCache(options);
        foreach (var issuer in _options.Issuers.Values)
        {
            var skew = issuer.ClockSkew ?? _options.ClockSkew;
            var template = new TokenValidationParameters
            {
                ValidIssuer = issuer.Issuer,
                ValidateIssuer = true,
                ValidAudiences = [.. issuer.Audiences],
                ValidateAudience = true,
                RequireAudience = true,
                IgnoreTrailingSlashWhenValidatingAudience = false,
                ValidAlgorithms = [.. issuer.Algorithms],
                ValidTypes = ["at+jwt", "application/at+jwt"],
                RequireExpirationTime = true,
                ValidateLifetime = true,
                RequireSignedTokens = true,
                ClockSkew = skew,
                TryAllIssuerSigningKeys = false,
                ValidateIssuerSigningKey = false,
                ValidateTokenReplay = false,
                ValidateWithLKG = false,
                SaveSigninToken = false,
                LogValidationExceptions = false,
                LifetimeValidator = ValidateLifetime,
            };
            _issuers[issuer.Issuer!] = new IssuerValidation(template, issuer.Algorithms.ToHashSet(StringComparer.Ordinal), skew);
        }
    }

    /// <summary>The tokens accepted so far (for eviction on revocation).</summary>
    public ValidatedTokenCache Cache => _validated;

    public ValueTask<JwtValidationResult> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (_validated.Capacity == 0 || token.Length > _options.MaxTokenLength)
        {
            return ValidateUncachedAsync(token, default, cancellationToken);
        }

        var digest = TokenDigest.Of(token);
        if (_validated.Get(digest, _timeProvider.GetUtcNow()) is { } hit)
        {
            if (hit.Keys.Generation == hit.KeyGeneration && hit.Keys.State != JwksCacheState.Expired)
            {
                return ValueTask.FromResult(new JwtValidationResult(hit.Caller, null));
            }

            _validated.Remove(digest);
        }

        return ValidateUncachedAsync(token, digest, cancellationToken);
    }

    private async ValueTask<JwtValidationResult> ValidateUncachedAsync(string token, TokenDigest? digest, CancellationToken cancellationToken)
    {
        var pre = JwtPreValidator.Check(token, _options);
        if (pre.Failure is not null)
        {
            return Fail(pre.Failure);
        }

        var header = pre.Header!;
        var payload = pre.Payload!;

        // Routed by the unverified iss to that issuer's own keys and rules; the handler then checks iss exactly.
        if (!_issuers.TryGetValue(payload.Issuer, out var issuer) || _caches.Find(payload.Issuer) is not { } cache)
        {
            return Fail(JwtValidationFailure.InvalidIssuer);
        }

        if (!issuer.Algorithms.Contains(header.Algorithm))
        {
            return Fail(JwtValidationFailure.UnsupportedAlgorithm);
        }

        var generation = cache.Generation;
        var lookup = await cache.GetSigningKeyAsync(header.KeyId, cancellationToken);
        switch (lookup.Status)
        {
            case JwksLookupStatus.KeysUnavailable:
                return Fail(JwtValidationFailure.KeysUnavailable);
            case JwksLookupStatus.UnknownKey:
                return Fail(JwtValidationFailure.UnknownSigningKey);
        }

        var key = lookup.Key!;
        if (!KeyFitsAlgorithm(key, header.Algorithm))
        {
            return Fail(JwtValidationFailure.KeyMismatch);
        }

        var parameters = issuer.Template.Clone();
        parameters.IssuerSigningKeys = [key];
        var result = await _handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return Fail(Map(result.Exception));
        }

        var now = _timeProvider.GetUtcNow();
        if (jwt.IssuedAt != DateTime.MinValue && new DateTimeOffset(jwt.IssuedAt, TimeSpan.Zero) > now + issuer.ClockSkew)
        {
            return Fail(JwtValidationFailure.NotYetValid);
        }

        // The internal token must expire no later than this one and still be worth sending: a token within a
        // second of its expiry (or inside the clock-skew grace) is treated as expired.
        if (new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero) - now < TimeSpan.FromSeconds(1))
        {
            return Fail(JwtValidationFailure.Expired);
        }

        if (string.IsNullOrEmpty(payload.Subject))
        {
            return Fail(JwtValidationFailure.MissingSubject);
        }

        var scopes = (payload.Scope ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var caller = new AuthenticatedCaller(
            payload.Subject,
            payload.ClientId,
            scopes,
            payload.TenantId,
            payload.Issuer,
            new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero),
            TokenHash.Prefix(token))
        {
            Scheme = JwtAuthenticationScheme.SchemeName,
            Email = payload.Email,
            Roles = payload.Roles,
            SessionId = payload.SessionId,
            AccessToken = token,
            TokenId = string.IsNullOrEmpty(jwt.Id) ? null : jwt.Id,
            IssuedAt = jwt.IssuedAt == DateTime.MinValue ? null : new DateTimeOffset(jwt.IssuedAt, TimeSpan.Zero),
        };
        if (digest is { } cacheKey)
        {
            // The generation read before the key lookup: a refresh in between makes the entry a miss, never a stale hit.
            _validated.Set(cacheKey, new ValidatedToken(caller, payload.TokenId, cache, generation), now);
        }

        return new JwtValidationResult(caller, null);
    }

    // The handler's own lifetime check reads the system clock; this one reads the injected TimeProvider.
    // The exceptions it throws are the handler's, so the result maps the same way.
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = _timeProvider.GetUtcNow().UtcDateTime;
        if (expires is null)
        {
            throw new SecurityTokenNoExpirationException("The token has no expiration time.");
        }

        if (notBefore is { } nbf && expires.Value <= nbf)
        {
            throw new SecurityTokenInvalidLifetimeException("The token expires before it becomes valid.");
        }

        if (notBefore is { } start && start > now + parameters.ClockSkew)
        {
            throw new SecurityTokenNotYetValidException("The token is not yet valid.");
        }

        if (expires.Value < now - parameters.ClockSkew)
        {
            throw new SecurityTokenExpiredException("The token has expired.");
        }

        return true;
    }

    private static JwtValidationResult Fail(JwtValidationFailure failure) => new(null, failure);

    private sealed record IssuerValidation(TokenValidationParameters Template, IReadOnlySet<string> Algorithms, TimeSpan ClockSkew);

    private static bool KeyFitsAlgorithm(JsonWebKey key, string algorithm)
    {
        if (!string.IsNullOrEmpty(key.Alg) && !string.Equals(key.Alg, algorithm, StringComparison.Ordinal))
        {
            return false;
        }

        return CurveByAlgorithm.TryGetValue(algorithm, out var curve)
            ? string.Equals(key.Kty, "EC", StringComparison.Ordinal) && string.Equals(key.Crv, curve, StringComparison.Ordinal)
            : string.Equals(key.Kty, "RSA", StringComparison.Ordinal);
    }

    private static JwtValidationFailure Map(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => JwtValidationFailure.Expired,
        SecurityTokenNotYetValidException => JwtValidationFailure.NotYetValid,
        SecurityTokenNoExpirationException => JwtValidationFailure.MissingExpiration,
        SecurityTokenInvalidLifetimeException => JwtValidationFailure.Invalid,
        SecurityTokenInvalidIssuerException => JwtValidationFailure.InvalidIssuer,
        SecurityTokenInvalidAudienceException => JwtValidationFailure.InvalidAudience,
        SecurityTokenInvalidTypeException => JwtValidationFailure.InvalidType,
        SecurityTokenInvalidAlgorithmException => JwtValidationFailure.UnsupportedAlgorithm,
        SecurityTokenSignatureKeyNotFoundException => JwtValidationFailure.UnknownSigningKey,
        SecurityTokenInvalidSignatureException => JwtValidationFailure.InvalidSignature,
        SecurityTokenMalformedException => JwtValidationFailure.Malformed,
        _ => JwtValidationFailure.Invalid,
    };
}
