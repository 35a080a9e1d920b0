using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace Reference.ServiceDefaults.InternalTokens;

/// <summary>
/// Requires every listed scope among the caller's <c>scope</c> claims. It handles itself (like
/// ASP.NET Core's role requirement), and on failure leaves the missing scopes on the request so the
/// forbid response can name them in <c>WWW-Authenticate: Bearer error="insufficient_scope", scope="…"</c>.
/// </summary>
public sealed class ScopeRequirement : AuthorizationHandler<ScopeRequirement>, IAuthorizationRequirement
{
    internal const string MissingScopesItemKey = "Reference.InternalTokens.MissingScopes";

    /// <summary>Creates a requirement for all of <paramref name="scopes"/>.</summary>
    /// <param name="scopes">The scopes, every one of which is required.</param>
    public ScopeRequirement(IEnumerable<string> scopes)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        Scopes = [.. scopes];
        if (Scopes.Count == 0 || Scopes.Any(s => string.IsNullOrWhiteSpace(s) || s.Contains(' ', StringComparison.Ordinal)))
        {
            throw new ArgumentException("At least one scope is required, and a scope has no spaces.", nameof(scopes));
        }
    }

    /// <summary>The scopes, every one of which is required.</summary>
    public IReadOnlyList<string> Scopes { get; }

    /// <inheritdoc />
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(requirement);
        if (context.User.Identity?.IsAuthenticated != true)
        {
            return Task.CompletedTask;
        }

        var granted = context.User.FindAll(InternalTokenClaimTypes.Scope).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        var missing = requirement.Scopes.Where(s => !granted.Contains(s)).ToList();
        if (missing.Count == 0)
        {
            context.Succeed(requirement);
            return Task.CompletedTask;
        }

        if (context.Resource is HttpContext http)
        {
            http.Items[MissingScopesItemKey] = string.Join(' ', requirement.Scopes);
        }

        context.Fail(new AuthorizationFailureReason(this, $"Missing scope(s): {string.Join(' ', missing)}"));
        return Task.CompletedTask;
    }
}
