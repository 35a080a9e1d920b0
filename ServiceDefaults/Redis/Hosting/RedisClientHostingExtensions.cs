using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Reference.Redis;
using Reference.Redis.Hosting;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers a <see cref="RedisClient"/> the way <c>Aspire.StackExchange.Redis</c> registers its multiplexer.</summary>
public static class RedisClientHostingExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="RedisClient"/> connected with <c>ConnectionStrings:{connectionName}</c>
    /// (settings from <c>Reference:Redis:{connectionName}</c>), a readiness health check
    /// <c>redis-{connectionName}</c> that PINGs with a short timeout, and the client's tracing and metrics
    /// (ActivitySource and Meter <c>Reference.Redis</c>, see <see cref="RedisInstrumentation"/>).
    /// A missing or malformed connection string stops the host at start with a message naming the key.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="connectionName">The connection string's name, e.g. <c>cache</c>.</param>
    /// <param name="configureSettings">Adjusts the settings after they are read from configuration.</param>
    /// <returns>The builder.</returns>
    public static IHostApplicationBuilder AddRedisClient(
        this IHostApplicationBuilder builder,
        string connectionName,
        Action<RedisClientSettings>? configureSettings = null)
    {
        AddRedisClientCore(builder, connectionName, configureSettings, keyed: false);
        return builder;
    }

    /// <summary>
    /// Like <see cref="AddRedisClient"/>, but registers the client as a keyed singleton under
    /// <paramref name="name"/> (resolve it with <c>[FromKeyedServices("name")]</c>), for apps with several Redis servers.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="name">The connection string's name and the service key.</param>
    /// <param name="configureSettings">Adjusts the settings after they are read from configuration.</param>
    /// <returns>The builder.</returns>
    public static IHostApplicationBuilder AddKeyedRedisClient(
        this IHostApplicationBuilder builder,
        string name,
        Action<RedisClientSettings>? configureSettings = null)
    {
        AddRedisClientCore(builder, name, configureSettings, keyed: true);
        return builder;
    }

    private static void AddRedisClientCore(IHostApplicationBuilder builder, string connectionName, Action<RedisClientSettings>? configureSettings, bool keyed)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);

        builder.Services.AddOptions<RedisClientSettings>(connectionName)
            .BindConfiguration($"{RedisClientSettings.SectionName}:{connectionName}")
            .Configure<IConfiguration>((settings, configuration) =>
            {
                if (configuration.GetConnectionString(connectionName) is { Length: > 0 } connectionString)
                {
                    settings.ConnectionString = connectionString;
                }

                configureSettings?.Invoke(settings);
            })
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RedisClientSettings>>(new RedisClientSettingsValidator(connectionName));

        if (keyed)
        {
            builder.Services.AddKeyedSingleton(connectionName, (services, _) => CreateClient(services, connectionName));
        }
        else
        {
            builder.Services.AddSingleton(services => CreateClient(services, connectionName));
        }

        var settings = new RedisClientSettings();
        builder.Configuration.GetSection($"{RedisClientSettings.SectionName}:{connectionName}").Bind(settings);
        configureSettings?.Invoke(settings);
        if (!settings.DisableHealthChecks)
        {
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                $"redis-{connectionName}",
                services =>
                {
                    var client = keyed ? services.GetRequiredKeyedService<RedisClient>(connectionName) : services.GetRequiredService<RedisClient>();
                    var timeout = services.GetRequiredService<IOptionsMonitor<RedisClientSettings>>().Get(connectionName).HealthCheckTimeout;
                    return new RedisHealthCheck(client, timeout);
                },
                failureStatus: HealthStatus.Unhealthy,
                tags: ["ready"]));
        }
    }

    private static RedisClient CreateClient(IServiceProvider services, string connectionName)
    {
        var settings = services.GetRequiredService<IOptionsMonitor<RedisClientSettings>>().Get(connectionName);
        return new RedisClient(
            RedisConnectionOptions.Parse(settings.ConnectionString!),
            services.GetService<ILoggerFactory>(),

            // Connect and command timeouts are wall-clock budgets, not token lifetimes: they must fire even when an
            // application (or a test) registers a fake TimeProvider to control lifetimes.
            TimeProvider.System);
    }
}
