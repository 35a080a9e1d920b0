using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Reference.Orders.Api.Orders;

/// <summary>Orders.Api's ActivitySource and metrics (picked up by ServiceDefaults' <c>Reference.*</c> listeners).</summary>
internal sealed class OrdersTelemetry
{
    public const string Name = "Reference.Orders.Api";
    public const string OrdersCreated = "orders.created";
    public static readonly ActivitySource ActivitySource = new(Name);
    private readonly Counter<long> _ordersCreated;

    public OrdersTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        _ordersCreated = meter.CreateCounter<long>(OrdersCreated, unit: "{order}", description: "Orders created.");
    }

    public void OrderCreated(string tenantId) => _ordersCreated.Add(1, new KeyValuePair<string, object?>("tenant.id", tenantId));
}
