using Reference.Gateway.Authentication;

namespace Reference.Gateway.Propagation;

/// <summary>The scopes a downstream service is told about: what the route needs (its Auth.Scopes), else the caller's.</summary>
internal static class PropagatedScopes
{
    public static IReadOnlyList<string> For(AuthenticatedCaller caller, IReadOnlyList<string> routeScopes)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(routeScopes);
        if (routeScopes.Count == 0)
        {
            return caller.Scopes;
        }

        // Every request of an authenticated route comes here: when the caller holds all of the route's scopes (the
        // usual case: the authentication stage required them), the route's own list is the answer, without allocating.
        var held = 0;
        foreach (var scope in routeScopes)
        {
            if (Holds(caller.Scopes, scope))
            {
                held++;
            }
        }

        if (held == routeScopes.Count)
        {
            return routeScopes;
        }

        var scopes = new List<string>(held);
        foreach (var scope in routeScopes)
        {
            if (Holds(caller.Scopes, scope))
            {
                scopes.Add(scope);
            }
        }

        return scopes;
    }

    private static bool Holds(IReadOnlyList<string> scopes, string scope)
    {
        foreach (var candidate in scopes)
        {
            if (string.Equals(candidate, scope, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
