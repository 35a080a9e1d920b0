namespace Reference.Inventory.Api.Inventory;

/// <summary>The outcome of a reservation attempt.</summary>
internal enum ReservationOutcome
{
    Reserved,
    NotFound,
    InsufficientStock,
}

/// <summary>
/// Stock in memory. Every read and write takes the caller's tenant: another tenant's item is
/// indistinguishable from a missing one.
/// </summary>
internal sealed class InventoryStore
{
    private readonly Dictionary<(string TenantId, string Sku), InventoryItem> _items = [];
    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;

    public InventoryStore(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        Seed();
    }

    public IReadOnlyList<InventoryItem> List(string tenantId)
    {
        lock (_gate)
        {
            return [.. _items.Values.Where(i => i.TenantId == tenantId).OrderBy(i => i.Sku, StringComparer.Ordinal)];
        }
    }

    public InventoryItem? Find(string tenantId, string sku)
    {
        lock (_gate)
        {
            return _items.GetValueOrDefault((tenantId, sku));
        }
    }

    public (ReservationOutcome Outcome, Reservation? Reservation) Reserve(string tenantId, string sku, int quantity, string reservedBy)
    {
        lock (_gate)
        {
            if (!_items.TryGetValue((tenantId, sku), out var item))
            {
                return (ReservationOutcome.NotFound, null);
            }

            if (item.QuantityAvailable < quantity)
            {
                return (ReservationOutcome.InsufficientStock, null);
            }

            var remaining = item.QuantityAvailable - quantity;
            _items[(tenantId, sku)] = item with { QuantityAvailable = remaining };
            var reservation = new Reservation("res-" + Guid.NewGuid().ToString("N")[..12], sku, quantity, remaining, reservedBy, _timeProvider.GetUtcNow());
            return (ReservationOutcome.Reserved, reservation);
        }
    }

    // Demo data (dev convenience): two tenants, so isolation can be seen through the gateway.
    private void Seed()
    {
        Add(new InventoryItem("WIDGET-1", "tenant-a", "Widget", 100));
        Add(new InventoryItem("GADGET-7", "tenant-a", "Gadget", 25));
        Add(new InventoryItem("WIDGET-1", "tenant-b", "Widget (tenant B)", 40));
        Add(new InventoryItem("GIZMO-3", "tenant-b", "Gizmo", 8));
    }

    private void Add(InventoryItem item) => _items[(item.TenantId, item.Sku)] = item;
}
