using Reference.ServiceDefaults.ServiceDiscovery;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.ServiceDiscovery;

namespace Reference.Gateway.Routing;

/// <summary>
/// Resolves cluster destinations with logical addresses (<c>http://orders</c>) through service discovery
/// configuration: every configured endpoint of the service (<c>services:orders:http:0..n</c>) becomes a
/// destination. Re-resolved when configuration reloads. A logical name with no endpoint stops the
/// configuration load with a message naming the missing key.
/// </summary>
internal sealed class ServiceDiscoveryDestinationResolver(ServiceEndpointResolver resolver, IConfiguration configuration) : IDestinationResolver
{
    public ValueTask<ResolvedDestinationCollection> ResolveDestinationsAsync(
        IReadOnlyDictionary<string, DestinationConfig> destinations,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destinations);
        var resolved = new Dictionary<string, DestinationConfig>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, destination) in destinations)
        {
            if (!Uri.TryCreate(destination.Address, UriKind.Absolute, out var address) || !ServiceEndpointResolver.IsLogicalName(address))
            {
                resolved[name] = destination;
                continue;
            }

            var endpoints = resolver.GetEndpoints(address.Host, address.Scheme);
            if (endpoints.Count == 0)
            {
                throw new InvalidOperationException(
                    $"Destination '{name}' ({destination.Address}) names service '{address.Host}', which has no '{address.Scheme}' endpoint: " +
                    $"set configuration key 'services:{address.Host}:{address.Scheme}:0' (environment variable 'services__{address.Host}__{address.Scheme}__0').");
            }

            for (var i = 0; i < endpoints.Count; i++)
            {
                var key = endpoints.Count == 1 ? name : $"{name}[{i}]";
                resolved[key] = destination with { Address = Combine(endpoints[i], address) };
            }
        }

        return ValueTask.FromResult(new ResolvedDestinationCollection(resolved, configuration.GetReloadToken()));
    }

    private static string Combine(Uri endpoint, Uri logical)
    {
        var builder = new UriBuilder(logical) { Scheme = endpoint.Scheme, Host = endpoint.Host, Port = endpoint.Port };
        if (endpoint.AbsolutePath.Length > 1)
        {
            builder.Path = endpoint.AbsolutePath.TrimEnd('/') + logical.AbsolutePath;
        }

        return builder.Uri.ToString();
    }
}
