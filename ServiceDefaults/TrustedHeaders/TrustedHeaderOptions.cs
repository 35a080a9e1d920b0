namespace Reference.ServiceDefaults.TrustedHeaders;

/// <summary>
/// Where identity headers may come from (configuration section <c>TrustedHeaders</c>). At least one
/// network or proxy is required: without it the service refuses to start.
/// </summary>
public sealed class TrustedHeaderOptions
{
    /// <summary>The configuration section: <c>TrustedHeaders</c>.</summary>
    public const string SectionName = "TrustedHeaders";

    /// <summary>CIDR ranges of the gateway (<c>TrustedHeaders:GatewayNetworks</c>), e.g. <c>10.0.1.0/24</c>.</summary>
    public List<string> GatewayNetworks { get; set; } = [];

    /// <summary>Single addresses of the gateway (<c>TrustedHeaders:GatewayProxies</c>), e.g. <c>10.0.1.5</c>.</summary>
    public List<string> GatewayProxies { get; set; } = [];
}
