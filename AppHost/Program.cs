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
var bffSecret = builder.AddParameter("gateway-bff-secret", secret: true);
var ordersClientSecret = builder.AddParameter("orders-client-secret", secret: true);
var demoWebSecret = builder.AddParameter("demo-web-secret", secret: true);

// Dev-only: one generated password for the seeded demo users (alice, bob, carol); only its PBKDF2 hash reaches the IdP.
var demoUserPassword = builder.AddParameter("demo-user-password", secret: true);
string[] demoUsers = ["alice", "bob", "carol"];

// The IdP and the gateway run as 2 replicas each behind the AppHost's load balancer (docs/apphost-replicas.md):
// proof that they keep no state of their own (keys in the shared data folder, everything else in Redis).
var identity = builder.AddProject<Projects.IdentityProvider>("identity")
    .WithReplicas(2)
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
    .WithEnvironment("IdentityProvider__Clients__orders-service__SecretHashes__0", () => Sha256SecretHash(ordersClientSecret.Resource.Value))
    .WithEnvironment("IdentityProvider__Clients__demo-web__SecretHashes__0", () => Sha256SecretHash(demoWebSecret.Resource.Value));
// Hashed once per run (600,000 PBKDF2 iterations each), not once per replica launch. The callback still reads the
// parameter every time: publish mode watches those reads to know the value derives from a secret.
var demoUserPasswordHashes = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);
foreach (var user in demoUsers)
{
    identity.WithEnvironment($"IdentityProvider__Users__{user}__PasswordHash",
        () => demoUserPasswordHashes.GetOrAdd(demoUserPassword.Resource.Value, Pbkdf2PasswordHash));
}

// Declared before the services because they reference it (its internal JWKS) and it references them.
var gateway = builder.AddProject<Projects.Gateway>("gateway").WithReplicas(2);
var orders = builder.AddProject<Projects.Orders_Api>("orders").WithReference(gateway).WithReference(identity).WithHttpHealthCheck("/health")
    .WithEnvironment("TokenExchange__ClientId", "orders-service")
    .WithEnvironment("TokenExchange__ClientSecret", ordersClientSecret)
    // Headers mode (gateway cluster orders-trusted): identity headers only from the gateway's network, here loopback
    // because the local run has no network isolation; in a deployment, the gateway's own address only.
    .WithEnvironment("TrustedHeaders__GatewayNetworks__0", "127.0.0.0/8")
    .WithEnvironment("TrustedHeaders__GatewayNetworks__1", "::1/128");
var inventory = builder.AddProject<Projects.Inventory_Api>("inventory").WithReference(gateway).WithReference(identity).WithHttpHealthCheck("/health");

// Orders.Api calls Inventory.Api on the user's behalf with a token it exchanged at the IdP (delegation).
orders.WithReference(inventory);

// The services consume revocations (reference:revocations + the revoked:* denylist keys) to reject internal and
// exchanged tokens derived from a revoked token.
orders.WithReference(cache);
inventory.WithReference(cache);

gateway
    .WithReference(identity).WithReference(orders).WithReference(inventory).WithReference(cache)
    .WaitFor(identity)
    .WithEnvironment("Gateway__Authentication__Jwt__Issuer", identity.GetEndpoint("http"))
    .WithEnvironment("Gateway__Bff__Authority", identity.GetEndpoint("http"))
    .WithEnvironment("Gateway__Bff__ClientSecret", bffSecret)
    .WithEnvironment("Gateway__Introspection__ClientSecret", introspectionSecret)
    .WithEnvironment("Gateway__Introspection__Issuer", identity.GetEndpoint("http"))
    .WithEnvironment("Gateway__TokenExchange__ClientId", "gateway")
    .WithEnvironment("Gateway__TokenExchange__ClientSecret", gatewayClientSecret)
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints();

// The gateway as the BFF's confidential client (gateway-bff), declared here rather than in the IdP's appsettings.json
// because its redirect and logout URLs come from the gateway's endpoint and its secret from a per-run parameter.
// The identity scopes give the BFF an ID token (openid, profile, email) and refresh tokens (offline_access).
string[] bffScopes = ["openid", "profile", "email", "offline_access", "orders.read", "orders.write", "inventory.read"];
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
builder.AddStartupNote($"Dev-only demo clients for this run: client_id=demo-client client_secret={demoSecret.Resource.Value} (tenant-a, all scopes); client_id=demo-client-b client_secret={demoSecretB.Resource.Value} (tenant-b, orders.read); client_id=demo-reference client_secret={demoReferenceSecret.Resource.Value} (tenant-a, reference tokens)");
builder.AddStartupNote($"Dev-only browser sign-in for this run: users alice (tenant-a, orders.admin), bob (tenant-b), carol (tenant-a) with password {demoUserPassword.Resource.Value}; client_id=demo-web client_secret={demoWebSecret.Resource.Value} (redirect http://localhost:5099/callback); public client_id=demo-spa (redirect http://localhost:5098/callback)");

await builder.Build().RunAsync();

string GatewayUrl(string path) => gateway.GetEndpoint("http").Url.TrimEnd('/') + path;

static string Sha256SecretHash(string secret) => "sha256:" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

// The IdP's format (IdentityProvider/Account/PasswordHasher.cs): pbkdf2-sha256$<iterations>$<salt>$<hash>.
static string Pbkdf2PasswordHash(string password)
{
    const int Iterations = 600_000;
    var salt = RandomNumberGenerator.GetBytes(16);
    var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, 32);
    return $"pbkdf2-sha256${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
}
