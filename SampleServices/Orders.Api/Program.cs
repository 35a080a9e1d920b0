using Reference.Orders.Api.Orders;

var builder = WebApplication.CreateBuilder(args);

// Telemetry, health, service discovery, forwarded headers, ProblemDetails.
builder.AddServiceDefaults();

// Only the gateway's internal tokens (audience orders-api) authenticate a request.
builder.AddInternalTokenValidation();

// Tenant-scoped orders, in memory.
builder.AddOrders();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapOrdersEndpoints();

app.Run();
