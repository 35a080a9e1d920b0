using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Reference.ServiceDefaults.RateLimiting;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers the shared distributed limiter.</summary>
public static class RateLimitingServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IDistributedRateLimiter"/> (settings from the <c>RateLimiting</c> section, validated at
    /// start) over the application's <see cref="Reference.Redis.RedisClient"/>, which must be registered too
    /// (<c>builder.AddRedisClient("cache")</c>).
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <returns>The same builder.</returns>
    public static TBuilder AddDistributedRateLimiting<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<RateLimitingOptions>().BindConfiguration(RateLimitingOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RateLimitingOptions>, RateLimitingOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RateLimitingTelemetry>();
        services.TryAddSingleton<IDistributedRateLimiter, DistributedRateLimiter>();
        return builder;
    }
}
