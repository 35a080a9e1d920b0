namespace Reference.ServiceDefaults.Telemetry;

/// <summary>
/// What the OpenTelemetry providers of <c>AddServiceDefaults()</c> listen to. Add a library's
/// ActivitySource or Meter with
/// <c>builder.Services.Configure&lt;ServiceTelemetryOptions&gt;(o =&gt; o.ActivitySources.Add("Name"))</c>;
/// names starting with <c>Reference.</c> are already included. Extra trace processors (e.g. a
/// test's recording exporter) are added by registering a <c>BaseProcessor&lt;Activity&gt;</c> singleton.
/// </summary>
public sealed class ServiceTelemetryOptions
{
    /// <summary>ActivitySource names (a trailing <c>*</c> is a wildcard) that are traced.</summary>
    public IList<string> ActivitySources { get; } = new List<string>
    {
        "Microsoft.AspNetCore",
        "System.Net.Http",
        "Reference.*",
    };

    /// <summary>Meter names (a trailing <c>*</c> is a wildcard) that are collected.</summary>
    public IList<string> Meters { get; } = new List<string>
    {
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "System.Net.Http",
        "System.Runtime",
        "Reference.*",
    };

    /// <summary>
    /// Request paths (matched by whole segments) whose server activity is not recorded, nor anything
    /// below it: the health probes by default.
    /// </summary>
    public IList<string> UntracedPaths { get; } = new List<string>
    {
        Microsoft.Extensions.Hosting.Extensions.HealthEndpointPath,
        Microsoft.Extensions.Hosting.Extensions.AlivenessEndpointPath,
    };
}
