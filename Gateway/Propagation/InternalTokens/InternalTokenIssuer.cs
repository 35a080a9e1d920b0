using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Reference.Gateway.Authentication;

namespace Reference.Gateway.Propagation.InternalTokens;

/// <summary>
/// Mints the internal token a downstream service receives instead of the caller's token: ES256, typ
/// <c>internal+jwt</c>, audience = the target service, lifetime = min(configured lifetime, the original
/// token's remaining lifetime). Signing lives here; verification lives in ServiceDefaults.
/// </summary>
internal sealed class InternalTokenIssuer(
    InternalSigningKeyRing keys,
    IOptions<InternalTokenOptions> options,
    TimeProvider timeProvider,
    GatewayTelemetry telemetry)
{
    public const string TokenType = "internal+jwt";

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly InternalTokenOptions _options = options.Value;

    public string Mint(AuthenticatedCaller caller, string audience, string requestId)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return Mint(caller, audience, caller.Scopes, requestId);
    }

    /// <summary>Mints a token for <paramref name="audience"/> carrying only <paramref name="scopes"/>.</summary>
    public string Mint(AuthenticatedCaller caller, string audience, IReadOnlyList<string> scopes, string requestId) =>
        Mint(caller, audience, scopes, requestId, out _);

    /// <summary>The <c>kid</c> new tokens are signed with.</summary>
    public string CurrentKeyId => keys.Current.KeyId;

    /// <summary>Mints a token for <paramref name="audience"/> carrying only <paramref name="scopes"/>; returns its expiry too.</summary>
    public string Mint(AuthenticatedCaller caller, string audience, IReadOnlyList<string> scopes, string requestId, out DateTimeOffset expiresAt)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(scopes);
        ArgumentException.ThrowIfNullOrEmpty(audience);
        using var activity = GatewayTelemetry.ActivitySource.StartActivity("gateway.internal_token.mint");
        activity?.SetTag("gateway.internal_token.audience", audience);

        var now = timeProvider.GetUtcNow();
        var expires = now + _options.Lifetime < caller.ExpiresAt ? now + _options.Lifetime : caller.ExpiresAt;
        if (expires - now < TimeSpan.FromSeconds(1))
        {
            // The authentication stage rejects such tokens first; never mint one that outlives its source.
            throw new InvalidOperationException("The caller's token expires too soon to mint an internal token.");
        }

        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [JwtRegisteredClaimNames.Sub] = caller.Subject,
            ["scope"] = string.Join(' ', scopes),
            [JwtRegisteredClaimNames.Jti] = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)),
            ["orig_iss"] = caller.Issuer,
            ["request_id"] = requestId,
        };
        // What revocation names, so a service rejects a token minted from a revoked one (ServiceDefaults checks them).
        if (caller.TokenId is not null)
        {
            claims["orig_jti"] = caller.TokenId;
        }

        if (caller.SessionId is not null)
        {
            claims["sid"] = caller.SessionId;
        }

        if (caller.IssuedAt is { } issuedAt)
        {
            claims["orig_iat"] = issuedAt.ToUnixTimeSeconds();
        }

        if (caller.ClientId is not null)
        {
            claims["client_id"] = caller.ClientId;
        }

        if (caller.Roles.Count > 0)
        {
            claims["roles"] = caller.Roles.ToArray();
        }

        if (caller.Email is not null)
        {
            claims["email"] = caller.Email;
        }

        if (caller.TenantId is not null)
        {
            claims["tenant_id"] = caller.TenantId;
        }

        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            TokenType = TokenType,
            SigningCredentials = keys.Current.Credentials,
            Claims = claims,
        });
        telemetry.RecordInternalTokenMinted(audience);
        expiresAt = expires;
        return token;
    }
}
