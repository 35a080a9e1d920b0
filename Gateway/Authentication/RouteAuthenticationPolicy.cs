namespace Reference.Gateway.Authentication;

/// <summary>
/// A route's authentication policy, from YARP route metadata: <c>Auth.Policy</c> (<c>jwt</c> | <c>anonymous</c>,
/// required: no route is open by default) and <c>Auth.Scopes</c> (space-separated, all required).
/// </summary>
internal sealed record RouteAuthenticationPolicy(string Policy, IReadOnlyList<string> RequiredScopes)
{
    public const string PolicyKey = "Auth.Policy";
    public const string ScopesKey = "Auth.Scopes";
    public const string Jwt = "jwt";
    public const string Anonymous = "anonymous";

    private const string KeyPrefix = "Auth.";

    private static readonly HashSet<string> KnownKeys = new(StringComparer.Ordinal) { PolicyKey, ScopesKey };

    public bool IsAnonymous => string.Equals(Policy, Anonymous, StringComparison.Ordinal);

    /// <summary>Parses the route's metadata; every problem is added to <paramref name="errors"/>, naming the route and key.</summary>
    public static RouteAuthenticationPolicy? Parse(string routeId, IReadOnlyDictionary<string, string>? metadata, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var where = $"Route '{routeId}'";
        var keyPath = $"ReverseProxy:Routes:{routeId}:Metadata";
        var errorCount = errors.Count;
        foreach (var key in metadata?.Keys ?? Enumerable.Empty<string>())
        {
            if (key.StartsWith(KeyPrefix, StringComparison.OrdinalIgnoreCase) && !KnownKeys.Contains(key))
            {
                errors.Add($"{where}: unknown metadata key '{key}' ({keyPath}:{key}); known keys are {PolicyKey} and {ScopesKey}.");
            }
        }

        string? policy = null;
        if (metadata is null || !metadata.TryGetValue(PolicyKey, out policy) || string.IsNullOrWhiteSpace(policy))
        {
            errors.Add($"{where}: metadata '{PolicyKey}' is required ({keyPath}:{PolicyKey} = {Jwt} | {Anonymous}); routes are never open by default.");
        }
        else if (policy is not (Jwt or Anonymous))
        {
            errors.Add($"{where}: metadata '{PolicyKey}' has unknown value '{policy}' ({keyPath}:{PolicyKey}); expected {Jwt} or {Anonymous}.");
        }

        string[] scopes = [];
        if (metadata is not null && metadata.TryGetValue(ScopesKey, out var scopeValue))
        {
            scopes = scopeValue.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (scopes.Length == 0 || scopes.Any(s => !IsScopeToken(s)))
            {
                errors.Add($"{where}: metadata '{ScopesKey}' must be space-separated scope tokens (RFC 6749 §3.3) ({keyPath}:{ScopesKey}).");
            }

            if (policy is Anonymous)
            {
                errors.Add($"{where}: metadata '{ScopesKey}' is set on an anonymous route ({keyPath}:{ScopesKey}); an anonymous route cannot require scopes.");
            }
        }

        return errors.Count == errorCount ? new RouteAuthenticationPolicy(policy!, scopes) : null;
    }

    // scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
    private static bool IsScopeToken(string value) =>
        value.All(c => c is '\x21' or (>= '\x23' and <= '\x5B') or (>= '\x5D' and <= '\x7E'));
}
