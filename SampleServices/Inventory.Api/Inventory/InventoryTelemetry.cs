using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Reference.Inventory.Api.Inventory;

/// <summary>Inventory.Api's ActivitySource and metrics (picked up by ServiceDefaults' <c>Reference.*</c> listeners).</summary>
internal sealed class InventoryTelemetry
{
    public const string Name = "Reference.Inventory.Api";
    public const string ReservationsCreated = "inventory.reservations";
    public static readonly ActivitySource ActivitySource = new(Name);
    private readonly Counter<long> _reservations;

    public InventoryTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        _reservations = meter.CreateCounter<long>(ReservationsCreated, unit: "{reservation}", description: "Stock reservations made.");
    }

    public void Reserved(string tenantId) => _reservations.Add(1, new KeyValuePair<string, object?>("tenant.id", tenantId));
}
