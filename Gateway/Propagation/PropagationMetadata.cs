namespace Reference.Gateway.Propagation;

/// <summary>How the gateway tells a downstream service who is calling.</summary>
internal enum PropagationMode
{
    /// <summary>A short-lived ES256 token minted by the gateway (the default).</summary>
    InternalToken,

    /// <summary>An audience-limited token from RFC 8693 token exchange at the IdP.</summary>
    Exchange,

    /// <summary>Identity headers from validated claims; only for clusters on a trusted network.</summary>
    Headers,

    /// <summary>The caller's original access token, unchanged.</summary>
    PassThrough,
}

/// <summary>
/// Propagation metadata: on clusters <c>Propagation.Audience</c> (the downstream service's audience),
/// <c>Propagation.Mode</c> and <c>Network.Trusted</c>; on routes <c>Propagation.Mode</c> (overrides the cluster's).
/// </summary>
internal static class PropagationMetadata
{
    public const string AudienceKey = "Propagation.Audience";

    public const string ModeKey = "Propagation.Mode";

    public const string TrustedNetworkKey = "Network.Trusted";

    /// <summary>
    /// Cluster key: scopes (space-separated) the service may use for onward delegated calls. Exchange mode only: the
    /// gateway's exchange asks for the route's scopes plus these (those the caller holds), so the service can exchange
    /// its token again (e.g. Orders.Api for an Inventory.Api token). Ignored by the other modes.
    /// </summary>
    public const string DelegationScopesKey = "Propagation.DelegationScopes";

    private const string KeyPrefix = "Propagation.";

    private const string NetworkPrefix = "Network.";

    private static readonly string ModeList = "internal-token, exchange, headers or pass-through";

    public static string? GetAudience(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is not null && metadata.TryGetValue(AudienceKey, out var audience) && !string.IsNullOrWhiteSpace(audience)
            ? audience
            : null;

    /// <summary>The cluster's <c>Propagation.DelegationScopes</c>, or none.</summary>
    public static IReadOnlyList<string> GetDelegationScopes(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is not null && metadata.TryGetValue(DelegationScopesKey, out var value) && value is not null
            ? value.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            : [];

    public static bool IsTrustedNetwork(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is not null && metadata.TryGetValue(TrustedNetworkKey, out var value)
        && bool.TryParse(value, out var trusted) && trusted;

    public static PropagationMode? ParseMode(string? value) => value switch
    {
        "internal-token" => PropagationMode.InternalToken,
        "exchange" => PropagationMode.Exchange,
        "headers" => PropagationMode.Headers,
        "pass-through" => PropagationMode.PassThrough,
        _ => null,
    };

    public static string Name(PropagationMode mode) => mode switch
    {
        PropagationMode.Exchange => "exchange",
        PropagationMode.Headers => "headers",
        PropagationMode.PassThrough => "pass-through",
        _ => "internal-token",
    };

    /// <summary>The effective mode: the route's <c>Propagation.Mode</c>, else the cluster's, else internal-token.</summary>
    public static PropagationMode GetMode(IReadOnlyDictionary<string, string>? routeMetadata, IReadOnlyDictionary<string, string>? clusterMetadata)
    {
        if (routeMetadata is not null && routeMetadata.TryGetValue(ModeKey, out var routeMode) && ParseMode(routeMode) is { } fromRoute)
        {
            return fromRoute;
        }

        return clusterMetadata is not null && clusterMetadata.TryGetValue(ModeKey, out var clusterMode) && ParseMode(clusterMode) is { } fromCluster
            ? fromCluster
            : PropagationMode.InternalToken;
    }

    /// <summary>Checks a cluster's Propagation.* and Network.* metadata on its own.</summary>
    public static void Validate(string clusterId, IReadOnlyDictionary<string, string>? metadata, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var keyPath = $"ReverseProxy:Clusters:{clusterId}:Metadata";
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            if (key.StartsWith(NetworkPrefix, StringComparison.OrdinalIgnoreCase))
            {
                if (!string.Equals(key, TrustedNetworkKey, StringComparison.Ordinal))
                {
                    errors.Add($"Cluster '{clusterId}': unknown metadata key '{key}' ({keyPath}:{key}); the known key is {TrustedNetworkKey}.");
                }
                else if (!bool.TryParse(value, out _))
                {
                    errors.Add($"Cluster '{clusterId}': metadata '{TrustedNetworkKey}' must be true or false ({keyPath}:{TrustedNetworkKey}); got '{value}'.");
                }

                continue;
            }

            if (!key.StartsWith(KeyPrefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (string.Equals(key, AudienceKey, StringComparison.Ordinal))
            {
                if (string.IsNullOrWhiteSpace(value) || value.Any(char.IsWhiteSpace))
                {
                    errors.Add($"Cluster '{clusterId}': metadata '{AudienceKey}' must be a single audience without whitespace ({keyPath}:{AudienceKey}).");
                }
            }
            else if (string.Equals(key, ModeKey, StringComparison.Ordinal))
            {
                ValidateMode($"Cluster '{clusterId}'", keyPath, value, metadata, errors);
            }
            else if (string.Equals(key, DelegationScopesKey, StringComparison.Ordinal))
            {
                ValidateDelegationScopes(clusterId, keyPath, value, metadata, errors);
            }
            else
            {
                errors.Add($"Cluster '{clusterId}': unknown metadata key '{key}' ({keyPath}:{key}); the known keys are {AudienceKey}, {ModeKey}, {DelegationScopesKey}.");
            }
        }
    }

    /// <summary>Checks a route's <c>Propagation.*</c> metadata against the cluster it reaches.</summary>
    public static void ValidateRoute(
        string routeId,
        IReadOnlyDictionary<string, string>? routeMetadata,
        string? clusterId,
        IReadOnlyDictionary<string, string>? clusterMetadata,
        ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var keyPath = $"ReverseProxy:Routes:{routeId}:Metadata";
        foreach (var (key, value) in routeMetadata ?? new Dictionary<string, string>())
        {
            if (string.Equals(key, ModeKey, StringComparison.Ordinal))
            {
                ValidateMode($"Route '{routeId}' (cluster '{clusterId}')", keyPath, value, clusterMetadata, errors);
            }
            else if (key.StartsWith(KeyPrefix, StringComparison.OrdinalIgnoreCase) || key.StartsWith(NetworkPrefix, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"Route '{routeId}': unknown metadata key '{key}' ({keyPath}:{key}); a route may set only {ModeKey} (audience and network trust belong to the cluster).");
            }
        }
    }

    private static void ValidateDelegationScopes(
        string clusterId, string keyPath, string? value, IReadOnlyDictionary<string, string>? metadata, ICollection<string> errors)
    {
        var scopes = value?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (scopes.Length == 0 || scopes.Any(s => s.Any(c => c is < '!' or > '~' or '"' or '\\')))
        {
            errors.Add($"Cluster '{clusterId}': metadata '{DelegationScopesKey}' must be one or more space-separated scopes ({keyPath}:{DelegationScopesKey}).");
        }
        else if (GetAudience(metadata) is null)
        {
            errors.Add($"Cluster '{clusterId}': metadata '{DelegationScopesKey}' needs '{AudienceKey}' ({keyPath}:{DelegationScopesKey}); delegation scopes only travel in an exchanged token.");
        }
        else if (metadata!.TryGetValue(ModeKey, out var mode) && ParseMode(mode) is PropagationMode.Headers or PropagationMode.PassThrough)
        {
            errors.Add($"Cluster '{clusterId}': metadata '{DelegationScopesKey}' is only used in exchange mode, but the cluster's mode is '{mode}' ({keyPath}:{DelegationScopesKey}).");
        }
    }

    private static void ValidateMode(
        string where, string keyPath, string? value, IReadOnlyDictionary<string, string>? clusterMetadata, ICollection<string> errors)
    {
        var mode = ParseMode(value);
        if (mode is null)
        {
            errors.Add($"{where}: metadata '{ModeKey}' has unknown value '{value}' ({keyPath}:{ModeKey}); expected {ModeList}.");
        }
        else if (mode is PropagationMode.Headers && !IsTrustedNetwork(clusterMetadata))
        {
            errors.Add(
                $"{where}: metadata '{ModeKey}' is 'headers' but the cluster is not marked '{TrustedNetworkKey}=true' ({keyPath}:{ModeKey}); " +
                "identity headers are only allowed to services reachable solely from the gateway.");
        }
        else if (mode is PropagationMode.InternalToken or PropagationMode.Exchange && GetAudience(clusterMetadata) is null)
        {
            errors.Add($"{where}: metadata '{ModeKey}' is '{value}', which needs the cluster metadata '{AudienceKey}' ({keyPath}:{ModeKey}).");
        }
    }
}
