using Reference.Inventory.Api.Inventory;

var builder = WebApplication.CreateBuilder(args);

// Telemetry, health, service discovery, forwarded headers, ProblemDetails.
builder.AddServiceDefaults();

// Only the gateway's internal tokens (audience inventory-api) authenticate a request.
builder.AddInternalTokenValidation();

// Tenant-scoped stock and reservations, in memory.
builder.AddInventory();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapInventoryEndpoints();

app.Run();
