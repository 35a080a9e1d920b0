namespace Reference.Gateway.Propagation;

/// <summary>Cluster metadata for identity propagation: <c>Propagation.Audience</c>, the downstream service's audience.</summary>
internal static class PropagationMetadata
{
    public const string AudienceKey = "Propagation.Audience";

    private const string KeyPrefix = "Propagation.";

    public static string? GetAudience(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is not null && metadata.TryGetValue(AudienceKey, out var audience) && !string.IsNullOrWhiteSpace(audience)
            ? audience
            : null;

    public static void Validate(string clusterId, IReadOnlyDictionary<string, string>? metadata, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            if (!key.StartsWith(KeyPrefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!string.Equals(key, AudienceKey, StringComparison.Ordinal))
            {
                errors.Add($"Cluster '{clusterId}': unknown metadata key '{key}' (ReverseProxy:Clusters:{clusterId}:Metadata:{key}); the known key is {AudienceKey}.");
            }
            else if (string.IsNullOrWhiteSpace(value) || value.Any(char.IsWhiteSpace))
            {
                errors.Add($"Cluster '{clusterId}': metadata '{AudienceKey}' must be a single audience without whitespace (ReverseProxy:Clusters:{clusterId}:Metadata:{AudienceKey}).");
            }
        }
    }
}
