using System.Collections.Concurrent;

namespace Reference.Orders.Api.Orders;

/// <summary>
/// Orders in memory. Every read and write takes the caller's tenant: there is no way to look an
/// order up without one, so another tenant's order is indistinguishable from a missing one.
/// </summary>
internal sealed class OrderStore
{
    private readonly ConcurrentDictionary<(string TenantId, string Id), Order> _orders = new();
    private readonly TimeProvider _timeProvider;

    public OrderStore(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        Seed();
    }

    public IReadOnlyList<Order> List(string tenantId) =>
        [.. _orders.Values.Where(o => o.TenantId == tenantId).OrderBy(o => o.CreatedAt).ThenBy(o => o.Id, StringComparer.Ordinal)];

    public Order? Find(string tenantId, string id) => _orders.GetValueOrDefault((tenantId, id));

    public Order Create(string tenantId, string sku, int quantity, string createdBy)
    {
        var order = new Order("ord-" + Guid.NewGuid().ToString("N")[..12], tenantId, sku, quantity, "created", createdBy, _timeProvider.GetUtcNow());
        _orders[(tenantId, order.Id)] = order;
        return order;
    }

    // Demo data (dev convenience): two tenants, so isolation can be seen through the gateway.
    private void Seed()
    {
        var now = _timeProvider.GetUtcNow();
        Add(new Order("ord-a-1001", "tenant-a", "WIDGET-1", 2, "shipped", "demo-client", now.AddDays(-2)));
        Add(new Order("ord-a-1002", "tenant-a", "GADGET-7", 1, "created", "demo-client", now.AddDays(-1)));
        Add(new Order("ord-b-2001", "tenant-b", "WIDGET-1", 5, "created", "demo-client-b", now.AddDays(-1)));
    }

    private void Add(Order order) => _orders[(order.TenantId, order.Id)] = order;
}
