using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Reference.IdentityProvider.Stores;
using Reference.IdentityProvider.Stores.Users;
using static Reference.IdentityProvider.OAuthConstants;

namespace Reference.IdentityProvider.Validation;

/// <summary>What the user-facing grants (authorization code, refresh) share: PKCE, audiences, user claims.</summary>
internal static class UserGrantSupport
{
    /// <summary>RFC 7636 §4.1: 43 to 128 unreserved characters.</summary>
    public static bool IsValidCodeVerifier(string? verifier) =>
        verifier is { Length: >= 43 and <= 128 } && verifier.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~');

    /// <summary>RFC 7636 §4.6, S256 only, compared in constant time.</summary>
    public static bool VerifyS256(string verifier, string challenge)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(challenge);
        var computed = Encoding.ASCII.GetBytes(Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
        return CryptographicOperations.FixedTimeEquals(computed, Encoding.ASCII.GetBytes(challenge));
    }

    /// <summary>The API resources owning the non-OpenID scopes; null when one of them belongs to no resource or the
    /// client may no longer have it. OpenID scopes were decided at the authorization endpoint (and
    /// <c>offline_access</c> is checked against <see cref="Client.AllowOfflineAccess"/> when refresh tokens are issued).</summary>
    public static IReadOnlyList<ApiResource>? ResolveResources(Client client, IReadOnlyList<string> scopes, IReadOnlyList<ApiResource> allResources)
    {
        var apiScopes = scopes.Where(s => !IdentityScopes.IsIdentityScope(s)).ToList();
        if (!apiScopes.All(s => client.AllowedScopes.Contains(s, StringComparer.Ordinal)))
        {
            return null;
        }

        var audiences = allResources.Where(r => r.Scopes.Any(s => apiScopes.Contains(s, StringComparer.Ordinal))).ToList();
        return apiScopes.All(s => audiences.Any(r => r.Scopes.Contains(s, StringComparer.Ordinal))) ? audiences : null;
    }

    /// <summary>The user's claims in access tokens: the tenant always, roles when any, email with the email scope.</summary>
    public static Dictionary<string, object> AccessTokenClaims(User user, IReadOnlyList<string> scopes)
    {
        ArgumentNullException.ThrowIfNull(user);
        var claims = new Dictionary<string, object>(StringComparer.Ordinal) { ["tenant_id"] = user.TenantId };
        if (user.Roles.Count > 0)
        {
            claims["roles"] = user.Roles.ToList();
        }

        if (user.Email is not null && scopes.Contains(IdentityScopes.Email, StringComparer.Ordinal))
        {
            claims["email"] = user.Email;
        }

        return claims;
    }

    /// <summary>Users and clients can be restricted: an inactive user, or a tenant the client no longer serves, ends
    /// the grant.</summary>
    public static bool MayUse(Client client, User? user) =>
        user is { IsActive: true } && (client.AllowedTenants.Count == 0 || client.AllowedTenants.Contains(user.TenantId));
}
