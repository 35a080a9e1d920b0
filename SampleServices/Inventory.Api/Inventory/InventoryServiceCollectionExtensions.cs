using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Reference.Inventory.Api.Inventory;

internal static class InventoryServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddInventory(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<InventoryStore>();
        builder.Services.TryAddSingleton<InventoryTelemetry>();
        builder.Services.AddOptions<InventoryOptions>().BindConfiguration(InventoryOptions.SectionName);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, AllowedActorHandler>());
        return builder;
    }
}
