namespace Reference.AppHost.Testing;

/// <summary>How the testing builder starts the application.</summary>
public sealed class ReferenceAppTestingOptions
{
    /// <summary>
    /// Configuration overrides applied on top of the AppHost's configuration, e.g.
    /// <c>["AppHost:Redis:Server"] = "garnet"</c> or <c>["Parameters:demo-client-secret"] = "..."</c>.
    /// </summary>
    public IDictionary<string, string?> Configuration { get; } = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long every resource has to become Running and Healthy (default 120 s: the default model runs 2 IdP
    /// and 2 gateway replicas, which a loaded 2-core CI machine starts slowly).</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Receives every child output line, prefixed <c>[name]</c> (e.g. to an xunit output helper). Null drops them (they stay in the log tails).</summary>
    public Action<string>? OutputSink { get; set; }

    internal DistributedApplicationOptions ToApplicationOptions() => new()
    {
        ConfigurationOverrides = new Dictionary<string, string?>(Configuration, StringComparer.OrdinalIgnoreCase),
        IsTesting = true,
        OutputSink = OutputSink,
    };
}
