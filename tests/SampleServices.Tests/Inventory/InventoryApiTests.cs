using System.Net;
using System.Net.Http.Json;

namespace Reference.SampleServices.Tests.Inventory;

public sealed class InventoryApiTests(SampleServicesFixture fixture) : IClassFixture<SampleServicesFixture>
{
    private const string Audience = "inventory-api";
    private readonly HttpClient _client = fixture.Inventory.CreateClient();

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, object? body = null) =>
        _client.SendAsync(SampleServicesFixture.Request(method, path, token, body is null ? null : JsonContent.Create(body)));

    [Fact]
    public async Task Items_TenantB_SeesOnlyItsOwnStock()
    {
        var response = await SendAsync(HttpMethod.Get, "/inventory/items", fixture.Token(Audience, "inventory.read", "tenant-b", "demo-client-b"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = (await response.JsonAsync()).EnumerateArray().ToList();
        Assert.Contains(items, i => i.GetProperty("sku").GetString() == "GIZMO-3");
        Assert.DoesNotContain(items, i => i.GetProperty("sku").GetString() == "GADGET-7");
        Assert.All(items, i => Assert.Equal("tenant-b", i.GetProperty("tenantId").GetString()));
    }

    [Fact]
    public async Task Item_OtherTenantsSku_Returns404()
    {
        var tenantB = fixture.Token(Audience, "inventory.read", "tenant-b", "demo-client-b");

        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, "/inventory/items/GADGET-7", tenantB)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/inventory/items/GIZMO-3", tenantB)).StatusCode);
    }

    [Fact]
    public async Task Item_SameSkuInTwoTenants_EachSeesItsOwn()
    {
        var a = await (await SendAsync(HttpMethod.Get, "/inventory/items/WIDGET-1", fixture.Token(Audience, "inventory.read"))).JsonAsync();
        var b = await (await SendAsync(HttpMethod.Get, "/inventory/items/WIDGET-1", fixture.Token(Audience, "inventory.read", "tenant-b"))).JsonAsync();

        Assert.Equal("tenant-a", a.GetProperty("tenantId").GetString());
        Assert.Equal("tenant-b", b.GetProperty("tenantId").GetString());
    }

    [Fact]
    public async Task Reserve_WithWriteScope_Creates201AndLowersStock()
    {
        var token = fixture.Token(Audience, "inventory.read inventory.write", "tenant-b", "demo-client-b");
        var before = (await (await SendAsync(HttpMethod.Get, "/inventory/items/GIZMO-3", token)).JsonAsync()).GetProperty("quantityAvailable").GetInt32();

        var response = await SendAsync(HttpMethod.Post, "/inventory/items/GIZMO-3/reservations", token, new { quantity = 1 });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var reservation = await response.JsonAsync();
        Assert.Equal(before - 1, reservation.GetProperty("quantityRemaining").GetInt32());
        var after = (await (await SendAsync(HttpMethod.Get, "/inventory/items/GIZMO-3", token)).JsonAsync()).GetProperty("quantityAvailable").GetInt32();
        Assert.Equal(before - 1, after);
    }

    [Fact]
    public async Task Reserve_OtherTenantsSku_Returns404()
    {
        var response = await SendAsync(HttpMethod.Post, "/inventory/items/GADGET-7/reservations",
            fixture.Token(Audience, "inventory.write", "tenant-b"), new { quantity = 1 });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Reserve_MoreThanAvailable_Returns409()
    {
        var response = await SendAsync(HttpMethod.Post, "/inventory/items/WIDGET-1/reservations",
            fixture.Token(Audience, "inventory.write"), new { quantity = 1000 });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Fact]
    public async Task Reserve_ReadScopeOnly_Returns403InsufficientScope()
    {
        var response = await SendAsync(HttpMethod.Post, "/inventory/items/WIDGET-1/reservations",
            fixture.Token(Audience, "inventory.read"), new { quantity = 1 });

        await ResponseAssertions.AssertBearerErrorAsync(response, HttpStatusCode.Forbidden, "insufficient_scope",
            "Bearer error=\"insufficient_scope\", scope=\"inventory.write\"");
    }

    [Fact]
    public async Task WhoAmI_ValidToken_ReturnsVerifiedIdentity()
    {
        var response = await SendAsync(HttpMethod.Get, "/inventory/whoami", fixture.Token(Audience, "inventory.read"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("demo-client", body.GetProperty("subject").GetString());
        Assert.Equal(Audience, body.GetProperty("audience").GetString());
        Assert.Equal("tenant-a", body.GetProperty("tenantId").GetString());
    }

    [Theory]
    [InlineData("GET", "/inventory/items")]
    [InlineData("GET", "/inventory/items/WIDGET-1")]
    [InlineData("GET", "/inventory/whoami")]
    [InlineData("POST", "/inventory/items/WIDGET-1/reservations")]
    public async Task DirectCall_WithoutToken_Returns401(string method, string path)
    {
        var response = await SendAsync(new HttpMethod(method), path, token: null, method == "POST" ? new { quantity = 1 } : null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    [Fact]
    public async Task DirectCall_OrdersAudienceToken_Returns401InvalidToken()
    {
        var response = await SendAsync(HttpMethod.Get, "/inventory/items", fixture.Token("orders-api", "inventory.read"));

        await ResponseAssertions.AssertBearerErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_token", "Bearer error=\"invalid_token\"");
    }
}
