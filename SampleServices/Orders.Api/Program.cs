using Reference.Orders.Api.Delegation;
using Reference.Orders.Api.Orders;

var builder = WebApplication.CreateBuilder(args);

// Telemetry, health, service discovery, forwarded headers, ProblemDetails.
builder.AddServiceDefaults();

// Gateway internal tokens and IdP-exchanged tokens, audience orders-api only.
builder.AddInternalTokenValidation();

// The gateway's headers mode (cluster orders-trusted): X-User-* identity headers, only on requests without an
// Authorization header and only from TrustedHeaders:GatewayNetworks. Requires network isolation (see
// docs/identity-propagation-services.md).
builder.AddTrustedHeaderIdentity();

// Tenant-scoped orders, in memory.
builder.AddOrders();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapOrdersEndpoints();
app.MapStockEndpoints();

app.Run();
