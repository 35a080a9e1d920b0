using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Reference.ServiceDefaults.ServiceDiscovery;

/// <summary>Registers configuration-based service discovery.</summary>
public static class ServiceDiscoveryServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ServiceEndpointResolver"/> and makes every <see cref="HttpClient"/> created
    /// through <c>IHttpClientFactory</c> resolve logical service names (<c>http://identity</c>).
    /// </summary>
    public static IServiceCollection AddConfigurationServiceDiscovery(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<ServiceEndpointResolver>();
        services.TryAddTransient<ServiceDiscoveryHandler>();
        services.ConfigureHttpClientDefaults(http => http.AddHttpMessageHandler<ServiceDiscoveryHandler>());
        return services;
    }
}
