using System.Security.Cryptography;
using System.Text;
using Reference.AppHost.Hosting.Watchdog;

// The AppHost binary doubles as the watchdog that ties redis-server/Garnet to its lifetime.
ProcessWatchdog.RunIfRequested(args);

var builder = DistributedApplication.CreateBuilder(args);

var cache = builder.AddRedis("cache");
var demoSecret = builder.AddParameter("demo-client-secret", secret: true);
var demoSecretB = builder.AddParameter("demo-client-b-secret", secret: true);
var bffSecret = builder.AddParameter("gateway-bff-secret", secret: true);
var introspectionSecret = builder.AddParameter("gateway-introspection-secret", secret: true);

var identity = builder.AddProject<Projects.IdentityProvider>("identity")
    .WithReference(cache).WaitFor(cache)
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints();
identity
    .WithEnvironment("IdentityProvider__Issuer", identity.GetEndpoint("http"))
    .WithEnvironment("IdentityProvider__Clients__demo-client__SecretHashes__0", () => Sha256SecretHash(demoSecret.Resource.Value))
    .WithEnvironment("IdentityProvider__Clients__demo-client-b__SecretHashes__0", () => Sha256SecretHash(demoSecretB.Resource.Value));

// Declared before the services because they reference it (its internal JWKS) and it references them.
var gateway = builder.AddProject<Projects.Gateway>("gateway");
var orders = builder.AddProject<Projects.Orders_Api>("orders").WithReference(gateway).WithHttpHealthCheck("/health");
var inventory = builder.AddProject<Projects.Inventory_Api>("inventory").WithReference(gateway).WithHttpHealthCheck("/health");

gateway
    .WithReference(identity).WithReference(orders).WithReference(inventory).WithReference(cache)
    .WaitFor(identity)
    .WithEnvironment("Gateway__Authentication__Jwt__Issuer", identity.GetEndpoint("http"))
    .WithEnvironment("Gateway__Bff__Authority", identity.GetEndpoint("http"))
    .WithEnvironment("Gateway__Bff__ClientSecret", bffSecret)
    .WithEnvironment("Gateway__Introspection__ClientSecret", introspectionSecret)
    .WithEnvironment("Gateway__Introspection__Issuer", identity.GetEndpoint("http"))
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints();

// The gateway as the BFF's confidential client (gateway-bff), declared here rather than in the IdP's appsettings.json
// because its redirect and logout URLs come from the gateway's endpoint and its secret from a per-run parameter.
// API scopes only: openid/profile/email are the IdP's identity scopes and offline_access is governed by AllowOfflineAccess.
string[] bffScopes = ["orders.read", "orders.write", "inventory.read"];
identity
    .WithEnvironment("IdentityProvider__Clients__gateway-bff__Description", "The gateway as a backend-for-frontend (cookie sessions, tokens kept server-side).")
    .WithEnvironment("IdentityProvider__Clients__gateway-bff__AllowedGrantTypes__0", "authorization_code")
    .WithEnvironment("IdentityProvider__Clients__gateway-bff__AllowedGrantTypes__1", "refresh_token")
    .WithEnvironment("IdentityProvider__Clients__gateway-bff__AllowOfflineAccess", "true")
    .WithEnvironment("IdentityProvider__Clients__gateway-bff__SecretHashes__0", () => Sha256SecretHash(bffSecret.Resource.Value))
    .WithEnvironment("IdentityProvider__Clients__gateway-bff__RedirectUris__0", () => GatewayUrl("/bff/callback"))
    .WithEnvironment("IdentityProvider__Clients__gateway-bff__PostLogoutRedirectUris__0", () => GatewayUrl("/"))
    .WithEnvironment("IdentityProvider__Clients__gateway-bff__BackChannelLogoutUri", () => GatewayUrl("/bff/backchannel-logout"));
for (var i = 0; i < bffScopes.Length; i++)
{
    identity.WithEnvironment($"IdentityProvider__Clients__gateway-bff__AllowedScopes__{i}", bffScopes[i]);
}

// Dev-only: a per-run credential for the README walk-through; nothing is stored.
builder.AddStartupNote($"Dev-only demo clients for this run: client_id=demo-client client_secret={demoSecret.Resource.Value} (tenant-a, all scopes); client_id=demo-client-b client_secret={demoSecretB.Resource.Value} (tenant-b, orders.read)");

await builder.Build().RunAsync();

string GatewayUrl(string path) => gateway.GetEndpoint("http").Url.TrimEnd('/') + path;

static string Sha256SecretHash(string secret) => "sha256:" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
