using System.Buffers.Text;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Reference.ServiceDefaults.Revocation;

namespace Reference.ServiceDefaults.InternalTokens;

/// <summary>The outcome of verifying one internal token: a principal, or why it was rejected.</summary>
internal readonly record struct InternalTokenValidationResult(ClaimsPrincipal? Principal, string? FailureDescription)
{
    public static InternalTokenValidationResult Success(ClaimsPrincipal principal) => new(principal, null);

    public static InternalTokenValidationResult Failure(string description) => new(null, description);
}

/// <summary>
/// Verifies a gateway internal token: pre-checks (<see cref="InternalTokenPreChecks"/>), the key from
/// the gateway's JWKS by <c>kid</c>, then signature, <c>typ</c>, <c>alg</c>, exact <c>iss</c>,
/// <c>aud</c>, required <c>exp</c>, <c>nbf</c> and <c>iat</c> against the injected clock.
/// </summary>
internal sealed class InternalTokenValidator
{
    private const long MaxNumericDate = 253402300799; // 9999-12-31T23:59:59Z
    private readonly JsonWebTokenHandler _handler = new();
    private readonly InternalTokenKeyCache _keys;
    private readonly ValidatedTokenCache _cache;
    private readonly IOptionsMonitor<InternalTokenOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<InternalTokenValidator> _logger;
    private readonly RevocationDenylist? _denylist;
    private readonly RevocationTelemetry? _revocationTelemetry;

    public InternalTokenValidator(
        InternalTokenKeyCache keys,
        ValidatedTokenCache cache,
        IOptionsMonitor<InternalTokenOptions> options,
        TimeProvider timeProvider,
        ILogger<InternalTokenValidator> logger,
        RevocationDenylist? denylist = null,
        RevocationTelemetry? revocationTelemetry = null)
    {
        _denylist = denylist;
        _revocationTelemetry = revocationTelemetry;
        _keys = keys;
        _cache = cache;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public async Task<InternalTokenValidationResult> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        var cacheKey = ValidatedTokenCache.Key(token);
        if (_cache.Get(cacheKey, _timeProvider.GetUtcNow()) is { } cached)
        {
            return CheckRevocation(token, cached);
        }

        var issuers = TrustedIssuer.FromOptions(options);
        var algorithms = issuers.SelectMany(i => i.Algorithms).ToHashSet(StringComparer.Ordinal);
        var types = issuers.Select(i => i.TokenType).ToHashSet(StringComparer.Ordinal);
        var failure = InternalTokenPreChecks.Check(token, options.MaxTokenLength, algorithms, types, out var keyId, out var algorithm, out var tokenType);
        if (failure is not null)
        {
            return Reject(token, failure);
        }

        // The unverified iss only selects whose keys, algorithms and typ apply; the signature is then
        // checked with that issuer's keys alone (a gateway token signed with an IdP key finds no key).
        var issuer = await FindIssuerAsync(issuers, ReadIssuer(token), cancellationToken);
        if (issuer is null)
        {
            return Reject(token, "The token's issuer is not accepted.");
        }

        if (!string.Equals(tokenType, issuer.Value.Descriptor.TokenType, StringComparison.Ordinal))
        {
            return Reject(token, "The token type is not accepted for its issuer.");
        }

        if (!issuer.Value.Descriptor.Algorithms.Contains(algorithm))
        {
            return Reject(token, "The token's signing algorithm is not accepted for its issuer.");
        }

        var key = await _keys.GetSigningKeyAsync(issuer.Value.Descriptor, keyId, cancellationToken);
        if (key is null)
        {
            return Reject(token, "The token's signing key is unknown.");
        }

        var parameters = new TokenValidationParameters
        {
            ValidIssuer = issuer.Value.Issuer,
            ValidAudience = options.Audience,
            ValidAlgorithms = issuer.Value.Descriptor.Algorithms,
            ValidTypes = [issuer.Value.Descriptor.TokenType],
            IssuerSigningKey = key,
            TryAllIssuerSigningKeys = false,
            ValidateIssuer = true,
            ValidateAudience = true,
            RequireAudience = true,
            // Lifetime is checked below against the injected clock (the library's own clock is not injectable).
            ValidateLifetime = false,
            RequireSignedTokens = true,
            AuthenticationType = InternalTokenDefaults.AuthenticationScheme,
            NameClaimType = InternalTokenClaimTypes.Subject,
        };
        var result = await _handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return Reject(token, Describe(result.Exception));
        }

        var now = _timeProvider.GetUtcNow();
        var lifetimeFailure = CheckLifetime(jwt, now, options.ClockSkew);
        if (lifetimeFailure is not null)
        {
            return Reject(token, lifetimeFailure);
        }

        if (string.IsNullOrEmpty(jwt.Subject))
        {
            return Reject(token, "The token has no subject.");
        }

        if (issuer.Value.Descriptor.RequireActor && !HasActorObject(jwt))
        {
            return Reject(token, "The token is not an exchanged token: its issuer requires an act (actor) claim.");
        }

        var principal = new ClaimsPrincipal(CreateIdentity(jwt));
        _cache.Set(cacheKey, principal, jwt.ValidTo, now, options.ValidatedTokenCacheSize);
        return CheckRevocation(token, principal);
    }

    /// <summary>On every hit and every fresh validation: the token, or the one it derives from, must not be revoked.</summary>
    private InternalTokenValidationResult CheckRevocation(string token, ClaimsPrincipal principal)
    {
        switch (_denylist?.Check(ValidatedTokenCache.RevocationSubjectOf(principal)))
        {
            case RevocationStatus.Revoked:
                _revocationTelemetry?.RecordDenied("service");
                return Reject(token, "The token has been revoked.");
            case RevocationStatus.Unknown:
                _revocationTelemetry?.RecordDenied("service_unknown");
                return Reject(token, "The token's revocation state cannot be verified right now.");
            default:
                return InternalTokenValidationResult.Success(principal);
        }
    }

    private async ValueTask<(TrustedIssuer Descriptor, string Issuer)?> FindIssuerAsync(
        IReadOnlyList<TrustedIssuer> issuers, string? iss, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(iss))
        {
            return null;
        }

        foreach (var issuer in issuers)
        {
            if (string.Equals(issuer.Issuer, iss, StringComparison.Ordinal))
            {
                return (issuer, iss);
            }
        }

        foreach (var issuer in issuers.Where(i => i.Issuer is null))
        {
            if (string.Equals(await _keys.GetIssuerAsync(issuer, cancellationToken), iss, StringComparison.Ordinal))
            {
                return (issuer, iss);
            }
        }

        return null;
    }

    private static bool HasActorObject(JsonWebToken jwt)
    {
        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.EncodedPayload));
        return payload.RootElement.TryGetProperty(InternalTokenClaimTypes.Actor, out var act) && act.ValueKind == JsonValueKind.Object;
    }

    private static string? ReadIssuer(string token)
    {
        try
        {
            var payload = token.Split('.')[1];
            using var document = JsonDocument.Parse(Base64Url.DecodeFromChars(payload));
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("iss", out var iss)
                && iss.ValueKind == JsonValueKind.String ? iss.GetString() : null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            // InvalidOperationException: GetString on an iss that is not valid UTF-8 (the parser does not check
            // string contents); uncaught it made a malformed token a 500.
            return null;
        }
    }

    // The library converts a numeric-looking string to a date; RFC 7519 §2 allows only JSON numbers,
    // so the payload's members are read here: no duplicates, exp required, all dates numbers.
    private static string? CheckLifetime(JsonWebToken jwt, DateTimeOffset now, TimeSpan skew)
    {
        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.EncodedPayload));
        if (payload.RootElement.ValueKind != JsonValueKind.Object)
        {
            return "The token payload is not a JSON object.";
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        DateTimeOffset? exp = null, nbf = null, iat = null;
        foreach (var member in payload.RootElement.EnumerateObject())
        {
            if (!names.Add(member.Name))
            {
                return "The token payload has a duplicate member.";
            }

            if (member.Name is "exp" or "nbf" or "iat")
            {
                if (member.Value.ValueKind != JsonValueKind.Number
                    || !member.Value.TryGetInt64(out var seconds)
                    || seconds is < 0 or > MaxNumericDate)
                {
                    return $"The token's {member.Name} is not a NumericDate.";
                }

                var date = DateTimeOffset.FromUnixTimeSeconds(seconds);
                switch (member.Name)
                {
                    case "exp": exp = date; break;
                    case "nbf": nbf = date; break;
                    default: iat = date; break;
                }
            }
        }

        if (exp is null)
        {
            return "The token has no expiration time.";
        }

        if (exp <= now - skew)
        {
            return "The token is expired.";
        }

        if (nbf > now + skew)
        {
            return "The token is not yet valid.";
        }

        if (iat > now + skew)
        {
            return "The token was issued in the future.";
        }

        return null;
    }

    private InternalTokenValidationResult Reject(string token, string description)
    {
        InternalTokenLog.TokenRejected(_logger, new TokenHash(token), description);

        return InternalTokenValidationResult.Failure(description);
    }

    private static ClaimsIdentity CreateIdentity(JsonWebToken jwt)
    {
        var claims = new List<Claim>();
        foreach (var claim in jwt.Claims)
        {
            if (claim.Type == InternalTokenClaimTypes.Scope)
            {
                foreach (var scope in claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    claims.Add(new Claim(InternalTokenClaimTypes.Scope, scope, ClaimValueTypes.String, jwt.Issuer));
                }
            }
            else if (claim.Type != InternalTokenClaimTypes.TokenType)
            {
                claims.Add(new Claim(claim.Type, claim.Value, claim.ValueType, jwt.Issuer));
            }
        }

        claims.Add(new Claim(InternalTokenClaimTypes.TokenType, jwt.Typ, ClaimValueTypes.String, jwt.Issuer));
        return new ClaimsIdentity(claims, InternalTokenDefaults.AuthenticationScheme, InternalTokenClaimTypes.Subject, "roles");
    }

    private static string Describe(Exception? exception) => exception switch
    {
        SecurityTokenInvalidIssuerException => "The token's issuer is not accepted.",
        SecurityTokenInvalidAudienceException => "The token's audience is not accepted.",
        SecurityTokenInvalidTypeException => "The token type is not accepted.",
        SecurityTokenInvalidAlgorithmException => "The token's signing algorithm is not accepted.",
        SecurityTokenSignatureKeyNotFoundException => "The token's signing key is unknown.",
        SecurityTokenInvalidSignatureException => "The token signature is invalid.",
        _ => "The token is invalid.",
    };
}
