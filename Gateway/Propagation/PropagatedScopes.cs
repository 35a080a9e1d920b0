using Reference.Gateway.Authentication;

namespace Reference.Gateway.Propagation;

/// <summary>The scopes a downstream service is told about: what the route needs (its Auth.Scopes), else the caller's.</summary>
internal static class PropagatedScopes
{
    public static IReadOnlyList<string> For(AuthenticatedCaller caller, IReadOnlyList<string> routeScopes)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(routeScopes);
        return routeScopes.Count == 0
            ? caller.Scopes
            : [.. routeScopes.Where(s => caller.Scopes.Contains(s, StringComparer.Ordinal))];
    }
}
