using System.Net;
using System.Text.Json;
using static Reference.IdentityProvider.Tests.IdentityProviderFactory;
using static Reference.IdentityProvider.Tests.TokenRequests;
using static Reference.IdentityProvider.Tests.Validation.TokenExchange.TokenExchangeTestTokens;

namespace Reference.IdentityProvider.Tests.Validation.TokenExchange;

/// <summary>
/// <c>TokenExchange:DelegationScopes</c> (the shipped <c>gateway</c> client: <c>orders-api: [inventory.read]</c>): a token
/// for Orders.Api may carry inventory.read so that Orders.Api can exchange it for an Inventory.Api token; only when
/// requested, only what the subject token holds, and never for another audience.
/// </summary>
public sealed class DelegationScopeTests(IdentityProviderFactory factory) : IClassFixture<IdentityProviderFactory>
{
    private const string Gateway = "gateway";

    [Fact]
    public async Task Exchange_DelegationScopeRequested_GrantedInATokenForTheAudienceOnly()
    {
        var subject = await SignAsync(factory, UserClaims("orders.read inventory.read"));

        var (response, json) = await ExchangeAsync(factory.CreateClient(), Gateway, GatewayClientSecret, Form(subject, "orders-api", P("scope", "orders.read inventory.read")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("orders.read inventory.read", json.GetProperty("scope").GetString());
        var payload = Payload(json.GetProperty("access_token").GetString()!);
        Assert.Equal(["orders-api"], Audiences(payload));
        Assert.Equal(Gateway, payload.GetProperty("act").GetProperty("sub").GetString());
    }

    [Fact]
    public async Task Exchange_NoScopeParameter_DefaultsToTheAudiencesOwnScopesOnly()
    {
        var subject = await SignAsync(factory, UserClaims("orders.read inventory.read"));

        var (response, json) = await ExchangeAsync(factory.CreateClient(), Gateway, GatewayClientSecret, Form(subject, "orders-api"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("orders.read", json.GetProperty("scope").GetString());
    }

    [Theory]
    [InlineData("orders.read inventory.read", "orders-api", "orders.read inventory.write")]
    [InlineData("orders.read inventory.write", "orders-api", "orders.read inventory.write")]
    [InlineData("orders.read", "orders-api", "orders.read inventory.read")]
    [InlineData("orders.read inventory.read", "inventory-api", "inventory.read orders.read")]
    public async Task Exchange_ScopeOutsideThePolicyOrTheSubject_InvalidScope(string subjectScopes, string audience, string requested)
    {
        var subject = await SignAsync(factory, UserClaims(subjectScopes));

        var (response, json) = await ExchangeAsync(factory.CreateClient(), Gateway, GatewayClientSecret, Form(subject, audience, P("scope", requested)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_scope", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Exchange_ClientWithoutDelegationScopes_OtherApisScopeRefused()
    {
        var subject = await SignAsync(factory, UserClaims("orders.read inventory.read"));

        var (response, json) = await ExchangeAsync(factory.CreateClient(), ExchangeClientId, ExchangeClientSecret, Form(subject, "orders-api", P("scope", "orders.read inventory.read")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_scope", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Chain_GatewayThenOrdersService_InventoryTokenWithNestedActors()
    {
        var client = factory.CreateClient();
        var subject = await SignAsync(factory, UserClaims("orders.read inventory.read"));
        var (_, forOrders) = await ExchangeAsync(client, Gateway, GatewayClientSecret, Form(subject, "orders-api", P("scope", "orders.read inventory.read")));

        var (response, forInventory) = await ExchangeAsync(
            client, "orders-service", OrdersServiceSecret, Form(forOrders.GetProperty("access_token").GetString()!, "inventory-api", P("scope", "inventory.read")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var payload = Payload(forInventory.GetProperty("access_token").GetString()!);
        Assert.Equal(["inventory-api"], Audiences(payload));
        Assert.Equal("inventory.read", payload.GetProperty("scope").GetString());
        Assert.Equal(UserId, payload.GetProperty("sub").GetString());
        var act = payload.GetProperty("act");
        Assert.Equal("orders-service", act.GetProperty("sub").GetString());
        Assert.Equal(Gateway, act.GetProperty("act").GetProperty("sub").GetString());
        Assert.False(act.GetProperty("act").TryGetProperty("act", out _));
    }

    [Fact]
    public async Task Chain_OrdersTokenWithoutDelegationScope_OrdersServiceRefused()
    {
        var client = factory.CreateClient();
        var subject = await SignAsync(factory, UserClaims("orders.read inventory.read"));
        var (_, forOrders) = await ExchangeAsync(client, Gateway, GatewayClientSecret, Form(subject, "orders-api", P("scope", "orders.read")));

        var (response, json) = await ExchangeAsync(
            client, "orders-service", OrdersServiceSecret, Form(forOrders.GetProperty("access_token").GetString()!, "inventory-api", P("scope", "inventory.read")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_scope", json.GetProperty("error").GetString());
    }

    private static List<string?> Audiences(JsonElement payload)
    {
        var audience = payload.GetProperty("aud");
        return audience.ValueKind == JsonValueKind.Array ? [.. audience.EnumerateArray().Select(a => a.GetString())] : [audience.GetString()];
    }
}
