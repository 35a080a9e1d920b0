using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Reference.Gateway.Authentication;
using Reference.Gateway.Authentication.Introspection;

namespace Microsoft.Extensions.Hosting;

internal static class IntrospectionServiceCollectionExtensions
{
    /// <summary>
    /// The <c>introspection</c> authentication scheme (RFC 7662 against the IdP, options in <c>Gateway:Introspection</c>):
    /// a pooled named HttpClient, the hashed result cache, the circuit breaker and its metrics.
    /// </summary>
    public static IHostApplicationBuilder AddIntrospectionAuthentication(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<IntrospectionOptions>().BindConfiguration(IntrospectionOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IntrospectionOptions>, IntrospectionOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(IntrospectionClient.HttpClientName, client =>
        {
            // Per-attempt timeouts are the resilience pipeline's; this is only a backstop.
            client.Timeout = Timeout.InfiniteTimeSpan;
            client.MaxResponseContentBufferSize = 64 * 1024;
        }).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            MaxConnectionsPerServer = 100,
            ConnectTimeout = TimeSpan.FromSeconds(2),
        });
        services.TryAddSingleton<IntrospectionTelemetry>();
        services.TryAddSingleton<IntrospectionCache>();
        services.TryAddSingleton<IntrospectionClient>();
        services.TryAddSingleton<IntrospectionAuthenticationScheme>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGatewayAuthenticationScheme, IntrospectionAuthenticationScheme>(
            sp => sp.GetRequiredService<IntrospectionAuthenticationScheme>()));
        return builder;
    }
}
