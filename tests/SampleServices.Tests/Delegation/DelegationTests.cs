using System.Net;
using System.Text;
using System.Text.Json;

namespace Reference.SampleServices.Tests.Delegation;

public sealed class DelegationTests(DelegationFixture fixture) : IClassFixture<DelegationFixture>
{
    private static readonly Dictionary<string, object?> GatewayActor = new() { ["sub"] = "gateway", ["client_id"] = "gateway" };

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string token)
    {
        using var request = SampleServicesFixture.Request(HttpMethod.Get, path, token);
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task Stock_WithIdpToken_ExchangesAsOrdersServiceAndReadsInventory()
    {
        fixture.IdentityProvider.Mode = "issue";
        var token = fixture.IdpToken("orders-api", "orders.read", actor: GatewayActor);
        using var client = fixture.Orders.CreateClient();
        var before = fixture.IdentityProvider.RequestCount;

        var response = await GetAsync(client, "/orders/ord-a-1001/stock", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("WIDGET-1", body.GetProperty("sku").GetString());
        Assert.Equal(100, body.GetProperty("quantityAvailable").GetInt32());
        Assert.Equal(before + 1, fixture.IdentityProvider.RequestCount);
        var form = fixture.IdentityProvider.LastForm;
        Assert.Equal("urn:ietf:params:oauth:grant-type:token-exchange", form["grant_type"]);
        Assert.Equal(token, form["subject_token"]);
        Assert.Equal("inventory-api", form["audience"]);
        Assert.Equal("inventory.read", form["scope"]);
        Assert.False(form.ContainsKey("client_secret"));
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("orders-service:orders-test-secret")), fixture.IdentityProvider.LastAuthorization);

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, "/orders/ord-a-1002/stock", token)).StatusCode);
        Assert.Equal(before + 1, fixture.IdentityProvider.RequestCount);
    }

    [Fact]
    public async Task DelegatedWhoAmI_InventorySeesTheUserAndTheNestedActors()
    {
        fixture.IdentityProvider.Mode = "issue";
        using var client = fixture.Orders.CreateClient();

        var response = await GetAsync(client, "/orders/delegation/whoami", fixture.IdpToken("orders-api", "orders.read inventory.read", actor: GatewayActor));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = await response.JsonAsync();
        Assert.Equal("alice", seen.GetProperty("subject").GetString());
        Assert.Equal("inventory-api", seen.GetProperty("audience").GetString());
        Assert.Equal("orders-service", seen.GetProperty("actor").GetProperty("subject").GetString());
        Assert.Equal("gateway", seen.GetProperty("actor").GetProperty("actor").GetProperty("subject").GetString());
        Assert.Equal(JsonValueKind.Null, seen.GetProperty("actor").GetProperty("actor").GetProperty("actor").ValueKind);
    }

    [Fact]
    public async Task Stock_WithGatewayInternalToken_Returns424DelegationUnavailable()
    {
        var token = fixture.Gateway.CreateToken(Reference.TestUtilities.InternalTokenTestSigner.DefaultClaims(fixture.Time.GetUtcNow(), "orders-api", "orders.read"));
        using var client = fixture.Orders.CreateClient();
        var before = fixture.IdentityProvider.RequestCount;

        var response = await GetAsync(client, "/orders/ord-a-1001/stock", token);

        Assert.Equal(HttpStatusCode.FailedDependency, response.StatusCode);
        Assert.Equal("delegation_unavailable", (await response.JsonAsync()).GetProperty("error").GetString());
        Assert.Equal(before, fixture.IdentityProvider.RequestCount);
    }

    [Fact]
    public async Task Stock_OtherTenantsOrder_Returns404WithoutExchange()
    {
        var token = fixture.IdpToken("orders-api", "orders.read");
        using var client = fixture.Orders.CreateClient();
        var before = fixture.IdentityProvider.RequestCount;

        var response = await GetAsync(client, "/orders/ord-b-2001/stock", token);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(before, fixture.IdentityProvider.RequestCount);
    }

    [Theory]
    [InlineData("down", HttpStatusCode.ServiceUnavailable, "temporarily_unavailable")]
    [InlineData("refuse", HttpStatusCode.Forbidden, "delegation_refused")]
    public async Task Stock_IdpFailing_AnswersClearError(string mode, HttpStatusCode status, string error)
    {
        fixture.IdentityProvider.Mode = mode;
        try
        {
            var token = fixture.IdpToken("orders-api", "orders.read", actor: GatewayActor);
            using var client = fixture.Orders.CreateClient();

            var response = await GetAsync(client, "/orders/ord-a-1001/stock", token);

            Assert.Equal(status, response.StatusCode);
            Assert.Equal(error, (await response.JsonAsync()).GetProperty("error").GetString());
            Assert.Equal(status == HttpStatusCode.ServiceUnavailable, response.Headers.RetryAfter is not null);
        }
        finally
        {
            fixture.IdentityProvider.Mode = "issue";
        }
    }

    [Fact]
    public async Task Inventory_DelegatedTokenFromAllowedActor_Returns200()
    {
        var actor = new Dictionary<string, object?> { ["sub"] = "orders-service", ["client_id"] = "orders-service", ["act"] = new Dictionary<string, object?> { ["sub"] = "someone-else" } };
        using var client = fixture.Inventory.CreateClient();

        var response = await GetAsync(client, "/inventory/items/WIDGET-1", fixture.IdpToken("inventory-api", "inventory.read", actor: actor));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Inventory_ActorNotAllowed_Returns403AccessDenied()
    {
        var actor = new Dictionary<string, object?> { ["sub"] = "rogue-service", ["client_id"] = "rogue-service", ["act"] = new Dictionary<string, object?> { ["sub"] = "orders-service" } };
        using var client = fixture.Inventory.CreateClient();

        var response = await GetAsync(client, "/inventory/items/WIDGET-1", fixture.IdpToken("inventory-api", "inventory.read", actor: actor));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("access_denied", (await response.JsonAsync()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Inventory_OrdersAudienceToken_Returns401InvalidToken()
    {
        using var client = fixture.Inventory.CreateClient();

        var response = await GetAsync(client, "/inventory/items/WIDGET-1", fixture.IdpToken("orders-api", "inventory.read orders.read"));

        await ResponseAssertions.AssertBearerErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_token", "Bearer error=\"invalid_token\"");
    }

    [Fact]
    public async Task Inventory_IdpTokenOtherTenant_Returns404()
    {
        using var client = fixture.Inventory.CreateClient();

        var response = await GetAsync(client, "/inventory/items/GIZMO-3", fixture.IdpToken("inventory-api", "inventory.read", "tenant-a"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, "/inventory/items/GIZMO-3", fixture.IdpToken("inventory-api", "inventory.read", "tenant-b"))).StatusCode);
    }
}
