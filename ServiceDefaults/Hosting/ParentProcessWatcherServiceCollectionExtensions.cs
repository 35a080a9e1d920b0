using Microsoft.Extensions.DependencyInjection.Extensions;
using Reference.ServiceDefaults.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the watcher that stops a service when its AppHost is gone.</summary>
public static class ParentProcessWatcherServiceCollectionExtensions
{
    /// <summary>
    /// Stops the host when the process named by <c>REFERENCE_APPHOST_PID</c> (the AppHost) exits or is
    /// killed; does nothing when the variable is not set.
    /// </summary>
    /// <param name="services">The service collection.</param>
    public static IServiceCollection AddParentProcessWatcher(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddHostedService<ParentProcessWatcher>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
