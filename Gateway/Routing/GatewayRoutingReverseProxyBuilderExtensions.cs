using Microsoft.Extensions.DependencyInjection.Extensions;
using Reference.Gateway.Routing;
using Yarp.ReverseProxy.ServiceDiscovery;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Microsoft.Extensions.Hosting;

internal static class GatewayRoutingReverseProxyBuilderExtensions
{
    /// <summary>Route/cluster metadata validation and per-route transforms, and service-discovery destinations.</summary>
    public static IReverseProxyBuilder AddGatewayRouting(this IReverseProxyBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ITransformProvider, GatewayRouteTransformProvider>());
        builder.Services.AddSingleton<IDestinationResolver, ServiceDiscoveryDestinationResolver>();
        return builder;
    }
}
