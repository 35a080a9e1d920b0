using Reference.Orders.Api.Delegation;
using Reference.Orders.Api.Orders;

var builder = WebApplication.CreateBuilder(args);

// Telemetry, health, service discovery, forwarded headers, ProblemDetails.
builder.AddServiceDefaults();

// Gateway internal tokens and IdP-exchanged tokens, audience orders-api only.
builder.AddInternalTokenValidation();

// Tenant-scoped orders, in memory.
builder.AddOrders();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapOrdersEndpoints();
app.MapStockEndpoints();

app.Run();
