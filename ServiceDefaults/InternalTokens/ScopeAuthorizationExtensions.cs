using Microsoft.AspNetCore.Authorization;

namespace Reference.ServiceDefaults.InternalTokens;

/// <summary>Authorization helpers for scopes carried by internal tokens.</summary>
public static class ScopeAuthorizationExtensions
{
    /// <summary>
    /// Requires an authenticated caller (of the default scheme: <c>InternalToken</c>, or <c>TrustedHeaders</c>) holding every one of
    /// <paramref name="scopes"/>: <c>.RequireAuthorization(p =&gt; p.RequireScope("orders.read"))</c>.
    /// A caller without them gets 403 <c>insufficient_scope</c>.
    /// </summary>
    /// <param name="builder">The policy builder.</param>
    /// <param name="scopes">The scopes, every one of which is required.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static AuthorizationPolicyBuilder RequireScope(this AuthorizationPolicyBuilder builder, params string[] scopes)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .RequireAuthenticatedUser()
            .AddRequirements(new ScopeRequirement(scopes));
    }
}
