namespace Reference.Inventory.Api.Inventory;

/// <summary>A stock item of one tenant.</summary>
internal sealed record InventoryItem(string Sku, string TenantId, string Name, int QuantityAvailable);

/// <summary>A reservation of stock.</summary>
internal sealed record Reservation(string Id, string Sku, int Quantity, int QuantityRemaining, string ReservedBy, DateTimeOffset ReservedAt);

/// <summary>The body of <c>POST /inventory/items/{sku}/reservations</c>.</summary>
internal sealed record ReserveRequest(int Quantity);
