using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Reference.Gateway.TokenExchange;

namespace Microsoft.Extensions.Hosting;

internal static class TokenExchangeServiceCollectionExtensions
{
    /// <summary>RFC 8693 token exchange for routes in <c>exchange</c> mode (options in <c>Gateway:TokenExchange</c>).</summary>
    public static IHostApplicationBuilder AddTokenExchange(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<TokenExchangeOptions>().BindConfiguration(TokenExchangeOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TokenExchangeOptions>, TokenExchangeOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(TokenExchangeClient.HttpClientName, client =>
        {
            // The resilience pipeline's timeout applies; this is only a backstop.
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
        services.TryAddSingleton<TokenExchangeClient>();
        return builder;
    }
}
