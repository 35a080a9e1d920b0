// The IdentityProvider: OIDC discovery, JWKS and the OAuth 2.0 token endpoint (client_credentials).
var builder = WebApplication.CreateBuilder(args);

// Telemetry, health checks, service discovery.
builder.AddServiceDefaults();

// Options (validated at start), clients and API resources, signing keys, the protocol endpoints' services.
builder.AddIdentityProvider();

var app = builder.Build();

// /health and /alive.
app.MapDefaultEndpoints();

// /.well-known/openid-configuration, /.well-known/jwks, /connect/token.
app.MapIdentityProviderEndpoints();

app.Run();
