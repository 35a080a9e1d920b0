using Microsoft.Extensions.Configuration;

namespace Reference.ServiceDefaults.ServiceDiscovery;

/// <summary>
/// Resolves logical service names (<c>http://identity</c>) to concrete endpoints from configuration,
/// in the format the AppHost (and Aspire) injects: <c>services:{name}:{endpoint}:{index}</c>, e.g.
/// the environment variable <c>services__identity__http__0=http://127.0.0.1:5123</c>.
/// </summary>
public sealed class ServiceEndpointResolver
{
    private readonly IConfiguration _configuration;

    /// <summary>Creates a resolver over the application's configuration.</summary>
    public ServiceEndpointResolver(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        _configuration = configuration;
    }

    /// <summary>
    /// Returns every configured endpoint of <paramref name="serviceName"/> for the given endpoint
    /// name (the URI scheme: <c>http</c> or <c>https</c>), in index order. Empty when none is configured.
    /// </summary>
    public IReadOnlyList<Uri> GetEndpoints(string serviceName, string endpointName = "http")
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        ArgumentException.ThrowIfNullOrEmpty(endpointName);
        var section = _configuration.GetSection($"services:{serviceName}:{endpointName}");
        var result = new List<Uri>();
        foreach (var child in section.GetChildren().OrderBy(c => int.TryParse(c.Key, out var i) ? i : int.MaxValue))
        {
            if (Uri.TryCreate(child.Value, UriKind.Absolute, out var uri))
            {
                result.Add(uri);
            }
        }

        return result;
    }

    /// <summary>
    /// Rewrites a logical URI (<c>http://identity/connect/token</c>) into a concrete one
    /// (<c>http://127.0.0.1:5123/connect/token</c>). A URI whose host has a dot, is an IP address or is
    /// <c>localhost</c> is returned unchanged.
    /// </summary>
    /// <exception cref="InvalidOperationException">The logical name has no configured endpoint; the
    /// message names the configuration key that is missing.</exception>
    public Uri Resolve(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!IsLogicalName(uri))
        {
            return uri;
        }

        var endpointName = uri.Scheme;
        var endpoints = GetEndpoints(uri.Host, endpointName);
        if (endpoints.Count == 0)
        {
            throw new InvalidOperationException(
                $"Service '{uri.Host}' has no '{endpointName}' endpoint: set configuration key " +
                $"'services:{uri.Host}:{endpointName}:0' (environment variable 'services__{uri.Host}__{endpointName}__0').");
        }

        var target = endpoints[0];
        var builder = new UriBuilder(uri)
        {
            Scheme = target.Scheme,
            Host = target.Host,
            Port = target.Port,
        };
        if (target.AbsolutePath.Length > 1)
        {
            builder.Path = target.AbsolutePath.TrimEnd('/') + uri.AbsolutePath;
        }

        return builder.Uri;
    }

    /// <summary>True when the URI's host is a logical service name rather than a network address.</summary>
    public static bool IsLogicalName(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return uri.IsAbsoluteUri
            && uri.HostNameType == UriHostNameType.Dns
            && !uri.Host.Contains('.', StringComparison.Ordinal)
            && !string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase);
    }
}
