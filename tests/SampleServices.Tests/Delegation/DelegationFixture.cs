extern alias inventory;
extern alias orders;

using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Reference.TestUtilities;

namespace Reference.SampleServices.Tests.Delegation;

/// <summary>Orders.Api and Inventory.Api trusting the gateway and a test IdP, with a fake IdP token endpoint.</summary>
public sealed class DelegationFixture : IAsyncLifetime
{
    public const string IdpIssuer = "http://idp.test";

    public InternalTokenTestSigner Gateway { get; } = new("gateway-internal-1");

    public AccessTokenTestSigner Idp { get; } = new(IdpIssuer, "idp-rsa-1");

    public FakeTimeProvider Time { get; } = new();

    internal FakeIdentityProvider IdentityProvider { get; private set; } = null!;

    public JwksStubServer GatewayJwks { get; private set; } = null!;

    public JwksStubServer IdpJwks { get; private set; } = null!;

    public SampleServiceFactory<orders::Program> Orders { get; private set; } = null!;

    public SampleServiceFactory<inventory::Program> Inventory { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        IdentityProvider = new FakeIdentityProvider(Idp, Time);
        GatewayJwks = await JwksStubServer.StartAsync(InternalTokenTestSigner.Jwks(Gateway));
        IdpJwks = await JwksStubServer.StartAsync(JsonSerializer.Serialize(new Dictionary<string, object?> { ["keys"] = new[] { Idp.PublicJwk() } }));
        var trust = new Dictionary<string, string?>
        {
            ["InternalTokens:TrustedIssuers:identity:Issuer"] = IdpIssuer,
            ["InternalTokens:TrustedIssuers:identity:JwksUri"] = IdpJwks.JwksUri.ToString(),
        };
        Inventory = new SampleServiceFactory<inventory::Program>(GatewayJwks.JwksUri, Time, trust);
        var ordersConfiguration = new Dictionary<string, string?>(trust)
        {
            ["TokenExchange:TokenEndpoint"] = "http://idp.test/connect/token",
            ["TokenExchange:ClientId"] = "orders-service",
            ["TokenExchange:ClientSecret"] = "orders-test-secret",
            ["TokenExchange:InventoryBaseAddress"] = "http://inventory.test",
        };
        Orders = new SampleServiceFactory<orders::Program>(GatewayJwks.JwksUri, Time, ordersConfiguration, services =>
        {
            services.AddHttpClient("Reference.Orders.TokenExchange").ConfigurePrimaryHttpMessageHandler(() => IdentityProvider);
            services.AddHttpClient("Reference.Orders.Inventory").ConfigurePrimaryHttpMessageHandler(() => Inventory.Server.CreateHandler());
        });
    }

    public async Task DisposeAsync()
    {
        await Orders.DisposeAsync();
        await Inventory.DisposeAsync();
        await GatewayJwks.DisposeAsync();
        await IdpJwks.DisposeAsync();
        IdentityProvider.Dispose();
        Gateway.Dispose();
        Idp.Dispose();
    }

    /// <summary>An IdP access token (as after the gateway's exchange) for <paramref name="audience"/>.</summary>
    public string IdpToken(string audience, string scope, string tenantId = "tenant-a", object? actor = null) =>
        Idp.CreateToken(Idp.Claims(Time.GetUtcNow(), audience, scope, tenantId, actor: actor));
}
