using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Reference.Orders.Api.Orders;

internal static class OrdersServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddOrders(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<OrderStore>();
        builder.Services.TryAddSingleton<OrdersTelemetry>();
        return builder;
    }
}
