using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Reference.Orders.Api.Delegation;
using Reference.ServiceDefaults.ServiceDiscovery;

namespace Reference.Orders.Api.Orders;

internal static class OrdersServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddOrders(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<OrderStore>();
        builder.Services.TryAddSingleton<OrdersTelemetry>();
        builder.Services.AddOptions<TokenExchangeOptions>().BindConfiguration(TokenExchangeOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TokenExchangeOptions>, TokenExchangeOptionsValidator>());
        builder.Services.TryAddSingleton<ServiceEndpointResolver>();
        builder.Services.AddHttpClient(TokenExchangeClient.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(5));
        builder.Services.AddHttpClient(StockEndpoints.InventoryClientName, c => c.Timeout = TimeSpan.FromSeconds(5));
        builder.Services.TryAddSingleton<TokenExchangeClient>();
        return builder;
    }
}
