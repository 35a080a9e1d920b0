using System.Security.Cryptography;
using System.Text;
using Reference.AppHost.Hosting.Watchdog;

// The AppHost binary doubles as the watchdog that ties redis-server/Garnet to its lifetime.
ProcessWatchdog.RunIfRequested(args);

var builder = DistributedApplication.CreateBuilder(args);

var cache = builder.AddRedis("cache");
var demoSecret = builder.AddParameter("demo-client-secret", secret: true);
var demoSecretB = builder.AddParameter("demo-client-b-secret", secret: true);
var demoReferenceSecret = builder.AddParameter("demo-reference-secret", secret: true);

// The gateway introspects reference tokens as the API resource reference-api with this secret.
var introspectionSecret = builder.AddParameter("gateway-introspection-secret", secret: true);
var gatewayClientSecret = builder.AddParameter("gateway-client-secret", secret: true);
var ordersClientSecret = builder.AddParameter("orders-client-secret", secret: true);

var identity = builder.AddProject<Projects.IdentityProvider>("identity")
    .WithReference(cache).WaitFor(cache)
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints();
identity
    .WithEnvironment("IdentityProvider__Issuer", identity.GetEndpoint("http"))
    .WithEnvironment("IdentityProvider__Clients__demo-client__SecretHashes__0", () => Sha256SecretHash(demoSecret.Resource.Value))
    .WithEnvironment("IdentityProvider__Clients__demo-client-b__SecretHashes__0", () => Sha256SecretHash(demoSecretB.Resource.Value))
    .WithEnvironment("IdentityProvider__Clients__demo-reference__SecretHashes__0", () => Sha256SecretHash(demoReferenceSecret.Resource.Value))
    .WithEnvironment("IdentityProvider__ApiResources__reference-api__SecretHashes__0", () => Sha256SecretHash(introspectionSecret.Resource.Value))
    .WithEnvironment("IdentityProvider__Clients__gateway__SecretHashes__0", () => Sha256SecretHash(gatewayClientSecret.Resource.Value))
    .WithEnvironment("IdentityProvider__Clients__orders-service__SecretHashes__0", () => Sha256SecretHash(ordersClientSecret.Resource.Value));

// Declared before the services because they reference it (its internal JWKS) and it references them.
var gateway = builder.AddProject<Projects.Gateway>("gateway");
var orders = builder.AddProject<Projects.Orders_Api>("orders").WithReference(gateway).WithHttpHealthCheck("/health")
    .WithEnvironment("TokenExchange__ClientId", "orders-service")
    .WithEnvironment("TokenExchange__ClientSecret", ordersClientSecret);
var inventory = builder.AddProject<Projects.Inventory_Api>("inventory").WithReference(gateway).WithHttpHealthCheck("/health");

gateway
    .WithReference(identity).WithReference(orders).WithReference(inventory).WithReference(cache)
    .WaitFor(identity)
    .WithEnvironment("Gateway__Authentication__Jwt__Issuer", identity.GetEndpoint("http"))
    .WithEnvironment("Gateway__Introspection__ClientSecret", () => introspectionSecret.Resource.Value)
    .WithEnvironment("Gateway__TokenExchange__ClientId", "gateway")
    .WithEnvironment("Gateway__TokenExchange__ClientSecret", gatewayClientSecret)
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints();

// Dev-only: a per-run credential for the README walk-through; nothing is stored.
builder.AddStartupNote($"Dev-only demo clients for this run: client_id=demo-client client_secret={demoSecret.Resource.Value} (tenant-a, all scopes); client_id=demo-client-b client_secret={demoSecretB.Resource.Value} (tenant-b, orders.read); client_id=demo-reference client_secret={demoReferenceSecret.Resource.Value} (tenant-a, reference tokens)");

await builder.Build().RunAsync();

static string Sha256SecretHash(string secret) => "sha256:" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
