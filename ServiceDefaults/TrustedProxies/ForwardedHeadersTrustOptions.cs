namespace Reference.ServiceDefaults.TrustedProxies;

/// <summary>
/// The proxies whose <c>X-Forwarded-For</c> / <c>X-Forwarded-Proto</c> / <c>X-Forwarded-Host</c> headers are honoured
/// (configuration section <c>ForwardedHeaders</c>). By default none is: the headers from anyone are
/// ignored, including from loopback, which ASP.NET Core would otherwise trust.
/// </summary>
public sealed class ForwardedHeadersTrustOptions
{
    /// <summary>The configuration section: <c>ForwardedHeaders</c>.</summary>
    public const string SectionName = "ForwardedHeaders";

    /// <summary>IP addresses of trusted proxies (<c>ForwardedHeaders:KnownProxies</c>), e.g. <c>10.0.0.5</c>.</summary>
    public IList<string> KnownProxies { get; } = new List<string>();

    /// <summary>CIDR ranges of trusted proxies (<c>ForwardedHeaders:KnownNetworks</c>), e.g. <c>10.0.0.0/24</c>.</summary>
    public IList<string> KnownNetworks { get; } = new List<string>();

    /// <summary>How many proxies of a chain are unwrapped (<c>ForwardedHeaders:ForwardLimit</c>); default 1.</summary>
    public int ForwardLimit { get; set; } = 1;
}
