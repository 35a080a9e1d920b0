namespace Reference.Orders.Api.Orders;

/// <summary>An order, owned by one tenant.</summary>
internal sealed record Order(string Id, string TenantId, string Sku, int Quantity, string Status, string CreatedBy, DateTimeOffset CreatedAt);

/// <summary>The body of <c>POST /orders</c>.</summary>
internal sealed record CreateOrderRequest(string? Sku, int Quantity);
