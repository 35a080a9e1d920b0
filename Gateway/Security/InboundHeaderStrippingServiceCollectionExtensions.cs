using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Reference.Gateway.Security;

internal static class InboundHeaderStrippingServiceCollectionExtensions
{
    /// <summary>Strips inbound identity headers from every request, before routing (through an <see cref="IStartupFilter"/>).</summary>
    public static IServiceCollection AddInboundHeaderStripping(this IServiceCollection services)
    {
        services.AddOptions<InboundHeaderOptions>().BindConfiguration(InboundHeaderOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InboundHeaderOptions>, InboundHeaderOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, InboundHeaderStrippingStartupFilter>());
        return services;
    }
}
