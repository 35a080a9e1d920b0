using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Reference.IdentityProvider.Keys;
using Reference.IdentityProvider.Options;
using static Reference.IdentityProvider.OAuthConstants;

namespace Reference.IdentityProvider.Tokens;

/// <summary>
/// OIDC Core §2 ID tokens, RS256 (the one algorithm every RP supports, and what discovery advertises), header
/// <c>typ: JWT</c>. Claims: <c>iss</c>, <c>sub</c>, <c>aud</c> (the client), <c>azp</c>, <c>exp</c>, <c>iat</c>,
/// <c>auth_time</c>, <c>nonce</c> (when the request had one), <c>sid</c>, <c>at_hash</c> (§3.3.2.11: the left half of
/// the SHA-256 of the access token, base64url), <c>amr</c>, <c>tenant_id</c>; <c>name</c> with <c>profile</c>,
/// <c>email</c>/<c>email_verified</c> with <c>email</c>.
/// </summary>
internal sealed class IdTokenService(ISigningKeyRing keyRing, IOptions<IdentityProviderOptions> options, TimeProvider timeProvider) : IIdTokenService
{
    public const string TokenType = "JWT";

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public async ValueTask<string> CreateAsync(IdTokenRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = await keyRing.GetSigningKeyAsync(SigningAlgorithms.RS256, cancellationToken);
        var now = DateTimeOffset.FromUnixTimeSeconds(timeProvider.GetUtcNow().ToUnixTimeSeconds());

        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [Claims.Subject] = request.User.SubjectId,
            ["azp"] = request.Client.ClientId,
            ["auth_time"] = request.AuthTime.ToUnixTimeSeconds(),
            ["sid"] = request.SessionId,
            ["amr"] = new[] { "pwd" },
            ["tenant_id"] = request.User.TenantId,
        };
        if (request.Nonce is not null)
        {
            claims["nonce"] = request.Nonce;
        }

        if (request.AccessToken is not null)
        {
            claims["at_hash"] = AccessTokenHash(request.AccessToken);
        }

        if (request.Scopes.Contains(IdentityScopes.Profile, StringComparer.Ordinal) && request.User.Name is not null)
        {
            claims["name"] = request.User.Name;
        }

        if (request.Scopes.Contains(IdentityScopes.Email, StringComparer.Ordinal) && request.User.Email is not null)
        {
            claims["email"] = request.User.Email;
            claims["email_verified"] = request.User.EmailVerified;
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            Audience = request.Client.ClientId,
            IssuedAt = now.UtcDateTime,
            Expires = (now + options.Value.IdTokenLifetime).UtcDateTime,
            TokenType = TokenType,
            SigningCredentials = key.SigningCredentials,
            Claims = claims,
        };
        return _handler.CreateToken(descriptor);
    }

    /// <summary>OIDC Core §3.1.3.6 <c>at_hash</c> for RS256: base64url of the left 128 bits of SHA-256(ASCII(token)).</summary>
    public static string AccessTokenHash(string accessToken)
    {
        ArgumentNullException.ThrowIfNull(accessToken);
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes(accessToken));
        return Base64Url.EncodeToString(hash.AsSpan(0, hash.Length / 2));
    }
}
