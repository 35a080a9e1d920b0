using System.Collections.Frozen;
using Reference.Gateway.Tenancy;

namespace Reference.Gateway.Authentication;

/// <summary>
/// A route's authentication policy, from YARP route metadata:
/// <list type="bullet">
/// <item><c>Auth.Policy</c> (required: no route is open by default): <c>anonymous</c>, or an ordered, space-separated
/// list of registered scheme names (<c>jwt</c>, <c>introspection</c>, <c>session</c>, e.g. <c>session jwt</c>).</item>
/// <item><c>Auth.Scopes</c>: space-separated scopes, all required.</item>
/// <item><c>Auth.Tenants</c>: space-separated tenant ids allowed on the route (implies a tenant is required).</item>
/// <item><c>Tenant.Required</c>: <c>true</c> when the request must identify a tenant.</item>
/// </list>
/// </summary>
internal sealed record RouteAuthenticationPolicy(
    string Policy,
    IReadOnlyList<string> Schemes,
    IReadOnlyList<string> RequiredScopes,
    IReadOnlySet<string> AllowedTenants,
    bool TenantRequired)
{
    public const string PolicyKey = "Auth.Policy";
    public const string ScopesKey = "Auth.Scopes";
    public const string TenantsKey = "Auth.Tenants";
    public const string TenantRequiredKey = "Tenant.Required";
    public const string Anonymous = "anonymous";

    private static readonly string[] KnownAuthKeys = [PolicyKey, ScopesKey, TenantsKey];

    public bool IsAnonymous => Schemes.Count == 0;

    /// <summary>Whether <paramref name="scheme"/> appears in the list after <paramref name="other"/>.</summary>
    public bool ListsAfter(string scheme, string other)
    {
        var first = IndexOf(other);
        var second = IndexOf(scheme);
        return first >= 0 && second > first;
    }

    /// <summary>
    /// Parses the route's metadata against the registered scheme names; every problem is added to
    /// <paramref name="errors"/>, naming the route and the configuration key.
    /// </summary>
    public static RouteAuthenticationPolicy? Parse(
        string routeId,
        IReadOnlyDictionary<string, string>? metadata,
        IReadOnlyCollection<string> registeredSchemes,
        ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(registeredSchemes);
        ArgumentNullException.ThrowIfNull(errors);
        var where = $"Route '{routeId}'";
        var keyPath = $"ReverseProxy:Routes:{routeId}:Metadata";
        var errorCount = errors.Count;
        var known = string.Join(", ", KnownAuthKeys.Append(TenantRequiredKey));
        foreach (var key in metadata?.Keys ?? Enumerable.Empty<string>())
        {
            if ((key.StartsWith("Auth.", StringComparison.OrdinalIgnoreCase) && !KnownAuthKeys.Contains(key, StringComparer.Ordinal))
                || (key.StartsWith("Tenant.", StringComparison.OrdinalIgnoreCase) && !string.Equals(key, TenantRequiredKey, StringComparison.Ordinal)))
            {
                errors.Add($"{where}: unknown metadata key '{key}' ({keyPath}:{key}); known keys are {known}.");
            }
        }

        var expected = $"{Anonymous} or a space-separated list of {string.Join(", ", registeredSchemes.Order(StringComparer.Ordinal))}";
        string? policy = null;
        List<string> schemes = [];
        if (metadata is null || !metadata.TryGetValue(PolicyKey, out policy) || string.IsNullOrWhiteSpace(policy))
        {
            errors.Add($"{where}: metadata '{PolicyKey}' is required ({keyPath}:{PolicyKey} = {expected}); routes are never open by default.");
        }
        else if (!string.Equals(policy, Anonymous, StringComparison.Ordinal))
        {
            foreach (var name in policy.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (string.Equals(name, Anonymous, StringComparison.Ordinal))
                {
                    errors.Add($"{where}: metadata '{PolicyKey}' mixes '{Anonymous}' with schemes ({keyPath}:{PolicyKey}); {Anonymous} stands alone.");
                }
                else if (!registeredSchemes.Contains(name, StringComparer.Ordinal))
                {
                    errors.Add($"{where}: metadata '{PolicyKey}' has unknown value '{name}' ({keyPath}:{PolicyKey}); expected {expected} (scheme names must be registered).");
                }
                else if (schemes.Contains(name, StringComparer.Ordinal))
                {
                    errors.Add($"{where}: metadata '{PolicyKey}' lists scheme '{name}' twice ({keyPath}:{PolicyKey}).");
                }
                else
                {
                    schemes.Add(name);
                }
            }
        }

        var isAnonymous = string.Equals(policy, Anonymous, StringComparison.Ordinal);
        string[] scopes = [];
        if (metadata is not null && metadata.TryGetValue(ScopesKey, out var scopeValue))
        {
            scopes = scopeValue.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (scopes.Length == 0 || scopes.Any(s => !IsScopeToken(s)))
            {
                errors.Add($"{where}: metadata '{ScopesKey}' must be space-separated scope tokens (RFC 6749 §3.3) ({keyPath}:{ScopesKey}).");
            }

            if (isAnonymous)
            {
                errors.Add($"{where}: metadata '{ScopesKey}' is set on an anonymous route ({keyPath}:{ScopesKey}); an anonymous route cannot require scopes.");
            }
        }

        string[] tenants = [];
        if (metadata is not null && metadata.TryGetValue(TenantsKey, out var tenantValue))
        {
            tenants = tenantValue.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (tenants.Length == 0 || tenants.Any(t => !TenantId.IsValid(t)))
            {
                errors.Add(
                    $"{where}: metadata '{TenantsKey}' must be space-separated tenant ids (lower-case letters, digits and '-', " +
                    $"at most {TenantId.MaxLength} characters) ({keyPath}:{TenantsKey}).");
            }
        }

        var tenantRequired = tenants.Length > 0;
        if (metadata is not null && metadata.TryGetValue(TenantRequiredKey, out var requiredValue))
        {
            if (!bool.TryParse(requiredValue, out var required))
            {
                errors.Add($"{where}: metadata '{TenantRequiredKey}' must be true or false ({keyPath}:{TenantRequiredKey}); got '{requiredValue}'.");
            }
            else if (!required && tenants.Length > 0)
            {
                errors.Add($"{where}: metadata '{TenantRequiredKey}' is false but '{TenantsKey}' restricts tenants ({keyPath}:{TenantRequiredKey}).");
            }
            else
            {
                tenantRequired |= required;
            }
        }

        return errors.Count == errorCount
            ? new RouteAuthenticationPolicy(policy!, schemes, scopes, tenants.ToFrozenSet(StringComparer.Ordinal), tenantRequired)
            : null;
    }

    private int IndexOf(string scheme)
    {
        for (var i = 0; i < Schemes.Count; i++)
        {
            if (string.Equals(Schemes[i], scheme, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    // scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
    private static bool IsScopeToken(string value) =>
        value.All(c => c is '\x21' or (>= '\x23' and <= '\x5B') or (>= '\x5D' and <= '\x7E'));
}
