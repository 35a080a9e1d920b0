using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Reference.Gateway.Tenancy;

internal static class TenancyServiceCollectionExtensions
{
    /// <summary>
    /// The tenant resolution chain and registry (reloadable through <see cref="IOptionsMonitor{TOptions}"/>), and the
    /// capture of the tenant header ahead of header stripping: call before <c>AddInboundHeaderStripping</c>.
    /// </summary>
    public static IServiceCollection AddGatewayTenancy(this IServiceCollection services)
    {
        services.AddOptions<TenancyOptions>().BindConfiguration(TenancyOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<TenancyOptions>, TenancyOptionsPostConfigure>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TenancyOptions>, TenancyOptionsValidator>());
        services.TryAddSingleton<TenantResolver>();
        services.TryAddSingleton<TenantPolicyEnforcer>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, TenantHeaderCaptureStartupFilter>());
        return services;
    }
}
