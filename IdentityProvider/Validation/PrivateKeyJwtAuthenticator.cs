using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Reference.IdentityProvider.Endpoints;
using Reference.IdentityProvider.Options;
using Reference.IdentityProvider.Stores;
using Reference.Redis;
using static Reference.IdentityProvider.OAuthConstants;

namespace Reference.IdentityProvider.Validation;

/// <summary>
/// <c>private_key_jwt</c> (RFC 7523 §2.2 and §3, OpenID Connect Core §9): a JWT signed with a key from the client's
/// configured JWKS. Algorithms are pinned (RS256, PS256, ES256: never <c>none</c> or HMAC); <c>iss</c> = <c>sub</c> =
/// the client id; <c>aud</c> contains the token endpoint URL or the issuer; <c>exp</c> is required and at most five
/// minutes ahead; <c>jti</c> is required and single-use (Redis SET NX until <c>exp</c>), so a replay is
/// <c>invalid_client</c>. <c>jku</c>, <c>x5u</c>, <c>jwk</c> and <c>x5c</c> headers are never followed.
/// </summary>
internal sealed class PrivateKeyJwtAuthenticator(
    IClientStore clients,
    RedisClient redis,
    IOptions<IdentityProviderOptions> options,
    TimeProvider timeProvider,
    ILogger<PrivateKeyJwtAuthenticator> logger)
{
    public const int MaxAssertionLength = 8 * 1024;

    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    private static readonly string[] AllowedAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.EcdsaSha256];

    private const string FailedDescription = "Client authentication failed.";

    private readonly JsonWebTokenHandler _handler = new();
    private readonly ConcurrentDictionary<string, IReadOnlyList<SecurityKey>> _keys = new(StringComparer.Ordinal);

    /// <summary>Parses a client's JWKS: RSA keys and P-256 EC keys with a <c>kid</c>, not marked for encryption.</summary>
    public static bool TryLoadKeys(string json, out IReadOnlyList<SecurityKey> keys)
    {
        keys = [];
        try
        {
            var set = new JsonWebKeySet(json);
            keys = [.. set.Keys.Where(k => !string.IsNullOrEmpty(k.Kid) && k.Use is null or "sig" && (k.Kty == "RSA" || (k.Kty == "EC" && k.Crv == "P-256")))];
            return keys.Count > 0;
        }
        catch (Exception ex) when (ex is ArgumentException or System.Text.Json.JsonException or FormatException or InvalidOperationException)
        {
            return false;
        }
    }

    public async ValueTask<ClientAuthenticationResult> AuthenticateAsync(IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        const string Method = ClientAuthenticationMethods.PrivateKeyJwt;
        if (!parameters.TryGetValue(TokenRequestParameters.ClientAssertion, out var assertion)
            || !parameters.TryGetValue(TokenRequestParameters.ClientAssertionType, out var assertionType))
        {
            return ClientAuthenticationResult.Failure(Errors.InvalidRequest, "client_assertion and client_assertion_type must be sent together.", method: Method);
        }

        if (assertionType != JwtBearerClientAssertionType)
        {
            return ClientAuthenticationResult.Failure(Errors.InvalidClient, $"client_assertion_type must be {JwtBearerClientAssertionType}.", method: Method);
        }

        if (assertion.Length > MaxAssertionLength || assertion.Count(c => c == '.') != 2)
        {
            return ClientAuthenticationResult.Failure(Errors.InvalidClient, "client_assertion is not a signed JWT.", method: Method);
        }

        JsonWebToken token;
        try
        {
            token = new JsonWebToken(assertion);
        }
        catch (ArgumentException)
        {
            return ClientAuthenticationResult.Failure(Errors.InvalidClient, "client_assertion is not a signed JWT.", method: Method);
        }

        // The algorithm is pinned before any key is looked at (RFC 8725 §3.1): none, HMAC and anything else fail here.
        if (!AllowedAlgorithms.Contains(token.Alg, StringComparer.Ordinal) || token.TryGetHeaderValue<object>("crit", out _))
        {
            return ClientAuthenticationResult.Failure(Errors.InvalidClient, "client_assertion must be signed with RS256, PS256 or ES256.", method: Method);
        }

        var clientId = token.Issuer;
        if (!ClientIdSyntax.IsValid(clientId) || !string.Equals(clientId, token.Subject, StringComparison.Ordinal))
        {
            return ClientAuthenticationResult.Failure(Errors.InvalidClient, "client_assertion: iss and sub must both be the client id.", method: Method);
        }

        if (parameters.TryGetValue(TokenRequestParameters.ClientId, out var bodyClientId) && !string.Equals(bodyClientId, clientId, StringComparison.Ordinal))
        {
            return ClientAuthenticationResult.Failure(Errors.InvalidClient, "client_id does not match the client assertion.", clientId, Method);
        }

        var client = await clients.FindClientByIdAsync(clientId, cancellationToken);
        if (client?.JsonWebKeySet is not { } jwks || !TryGetKeys(client.ClientId, jwks, out var keys))
        {
            return ClientAuthenticationResult.Failure(Errors.InvalidClient, FailedDescription, clientId, Method);
        }

        var issuer = options.Value.Issuer!;
        var parametersForValidation = new TokenValidationParameters
        {
            ValidIssuer = clientId,
            ValidAudiences = [issuer + EndpointPaths.Token, issuer],
            IgnoreTrailingSlashWhenValidatingAudience = false,
            ValidAlgorithms = AllowedAlgorithms,
            IssuerSigningKeys = keys,
            TryAllIssuerSigningKeys = string.IsNullOrEmpty(token.Kid),
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = false, // checked below against the TimeProvider
        };
        var result = await _handler.ValidateTokenAsync(token, parametersForValidation);
        if (!result.IsValid)
        {
            return ClientAuthenticationResult.Failure(Errors.InvalidClient, FailedDescription, clientId, Method);
        }

        var now = timeProvider.GetUtcNow();
        if (!token.TryGetPayloadValue<long>("exp", out var expSeconds))
        {
            return ClientAuthenticationResult.Failure(Errors.InvalidClient, "client_assertion: exp is required.", clientId, Method);
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(expSeconds);
        if (expires <= now - ClockSkew || expires > now + MaxLifetime + ClockSkew)
        {
            return ClientAuthenticationResult.Failure(Errors.InvalidClient, "client_assertion: exp must be in the future and at most five minutes ahead.", clientId, Method);
        }

        if ((token.TryGetPayloadValue<long>("nbf", out var nbf) && DateTimeOffset.FromUnixTimeSeconds(nbf) > now + ClockSkew)
            || (token.TryGetPayloadValue<long>("iat", out var iat) && DateTimeOffset.FromUnixTimeSeconds(iat) > now + ClockSkew))
        {
            return ClientAuthenticationResult.Failure(Errors.InvalidClient, "client_assertion: nbf or iat is in the future.", clientId, Method);
        }

        var jti = token.Id;
        if (string.IsNullOrEmpty(jti) || jti.Length > 256)
        {
            return ClientAuthenticationResult.Failure(Errors.InvalidClient, "client_assertion: jti is required.", clientId, Method);
        }

        var jtiHash = TokenHandles.Hash(jti);
        var key = options.Value.KeyPrefix + "client-assertion:" + TokenHandles.Hash(clientId) + ":" + jtiHash;
        if (!await redis.SetAsync(key, "1", TokenHandles.Ttl(expires + ClockSkew, now), SetCondition.NotExists, cancellationToken: cancellationToken))
        {
            TokenLifecycleLog.ClientAssertionReplayed(logger, clientId, jtiHash[..12]);
            return ClientAuthenticationResult.Failure(Errors.InvalidClient, "client_assertion has already been used (jti replay).", clientId, Method);
        }

        return ClientAuthenticationResult.Success(client, Method);
    }

    private bool TryGetKeys(string clientId, string jwks, out IReadOnlyList<SecurityKey> keys)
    {
        if (_keys.TryGetValue(clientId, out var cached))
        {
            keys = cached;
            return true;
        }

        if (!TryLoadKeys(jwks, out keys))
        {
            return false;
        }

        _keys[clientId] = keys;
        return true;
    }
}
