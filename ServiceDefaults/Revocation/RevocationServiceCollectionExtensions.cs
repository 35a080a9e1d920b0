using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Reference.Redis;
using Reference.ServiceDefaults.Revocation;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers the consumer of the IdP's revocations (<c>reference:revocations</c> + the <c>revoked:*</c> denylist keys).</summary>
public static class RevocationServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="RevocationDenylist"/> (consulted by every cache on its hit path) and, when
    /// <c>Revocation:Enabled</c> (default true), the background consumer that fills it from Redis pub/sub and catches up
    /// from the denylist keys on (re)connect, plus the <c>revocations</c> readiness check. Needs a registered
    /// <see cref="RedisClient"/> (<c>AddRedisClient("cache")</c>) for the consumer. Caches register an
    /// <see cref="IRevocationListener"/> to be told what to evict.
    /// </summary>
    /// <typeparam name="TBuilder">The host builder type.</typeparam>
    /// <param name="builder">The application builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static TBuilder AddRevocationConsumer<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        AddRevocationDenylist(services);
        if (services.Any(d => d.ServiceType == typeof(RevocationConsumer)))
        {
            return builder;
        }

        services.TryAddSingleton<RevocationConsumer>();
        services.AddHostedService(sp => sp.GetRequiredService<RevocationConsumer>());
        services.AddHealthChecks().AddCheck<RevocationHealthCheck>(RevocationHealthCheck.Name);
        return builder;
    }

    /// <summary>Registers only the (then empty) <see cref="RevocationDenylist"/>, its options and telemetry.</summary>
    /// <param name="services">The services.</param>
    /// <returns>The same services, for chaining.</returns>
    public static IServiceCollection AddRevocationDenylist(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(RevocationDenylist)))
        {
            return services;
        }

        services.AddOptions<RevocationOptions>().BindConfiguration(RevocationOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RevocationOptions>, RevocationOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<RevocationTelemetry>();
        services.TryAddSingleton<RevocationDenylist>();
        return services;
    }
}
