using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Reference.EndToEnd.Tests;

/// <summary>
/// The four propagation modes and the Orders → Inventory delegation in the running system: exactly what each service
/// verified (its <c>/whoami</c>), spoofing at the edge in every mode, cache reuse, audience and tenant confinement.
/// </summary>
[Collection(ReferenceAppTestGroup.Name)]
public sealed class PropagationModesTests(ReferenceAppFixture fixture)
{
    private const string GatewayIssuer = "urn:reference:gateway";

    [Fact]
    public async Task InternalToken_OrdersSeesAGatewayTokenWithTheRouteScopesOnly()
    {
        var token = await fixture.GetTokenAsync("demo-client", "orders.read orders.write inventory.read");

        var seen = await WhoAmIAsync("/api/orders/whoami", token, requestId: "e2e-internal-1");

        Assert.Equal("demo-client", seen.GetProperty("subject").GetString());
        Assert.Equal("demo-client", seen.GetProperty("clientId").GetString());
        Assert.Equal("tenant-a", seen.GetProperty("tenantId").GetString());
        Assert.Equal(["orders.read"], Strings(seen.GetProperty("scopes")));
        Assert.Equal(GatewayIssuer, seen.GetProperty("issuer").GetString());
        Assert.Equal("orders-api", seen.GetProperty("audience").GetString());
        Assert.Equal("internal+jwt", seen.GetProperty("tokenType").GetString());
        Assert.Equal(fixture.IdentityIssuer, seen.GetProperty("originalIssuer").GetString());
        Assert.Equal(JsonValueKind.Null, seen.GetProperty("actor").ValueKind);
        var headers = seen.GetProperty("receivedHeaders");
        Assert.Equal("e2e-internal-1", headers.GetProperty("x-request-id").GetString());
        Assert.False(headers.TryGetProperty("x-user-id", out _));
    }

    [Fact]
    public async Task InternalToken_ManyRequestsOneToken_OneMintedTokenReused()
    {
        var token = await fixture.GetTokenAsync("demo-client", "orders.read");
        var seen = new List<JsonElement>();
        for (var i = 0; i < 5; i++)
        {
            seen.Add(await WhoAmIAsync("/api/orders/whoami", token, requestId: $"e2e-mint-{i}", replica: 0));
        }

        // Through one gateway replica (each replica mints and caches its own), one signature: the same jti every time, carrying the request id of the request that minted it; each
        // request's own id still travels in X-Request-Id.
        Assert.Single(seen.Select(s => s.GetProperty("tokenId").GetString()).Distinct());
        Assert.All(seen, s => Assert.Equal("e2e-mint-0", s.GetProperty("requestId").GetString()));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"e2e-mint-{i}"), seen.Select(s => s.GetProperty("receivedHeaders").GetProperty("x-request-id").GetString()));
    }

    [Fact]
    public async Task Exchange_OrdersSeesAnIdpTokenForItsAudienceActedByTheGateway()
    {
        var token = await fixture.GetTokenAsync("demo-client", "orders.read orders.write inventory.read");

        var seen = await WhoAmIAsync("/exchange/orders/whoami", token);

        Assert.Equal("demo-client", seen.GetProperty("subject").GetString());
        Assert.Equal("tenant-a", seen.GetProperty("tenantId").GetString());
        Assert.Equal(fixture.IdentityIssuer, seen.GetProperty("issuer").GetString());
        Assert.Equal("orders-api", seen.GetProperty("audience").GetString());
        Assert.Equal("at+jwt", seen.GetProperty("tokenType").GetString());
        // The route's scope, plus the cluster's delegation scope the caller holds (for Orders' onward exchange).
        Assert.Equal(["orders.read", "inventory.read"], Strings(seen.GetProperty("scopes")));
        Assert.Equal("gateway", seen.GetProperty("actor").GetProperty("subject").GetString());
        Assert.Equal(JsonValueKind.Null, seen.GetProperty("actor").GetProperty("actor").ValueKind);
    }

    [Fact]
    public async Task Exchange_ManyRequestsOneToken_OneExchangeReused()
    {
        var token = await fixture.GetTokenAsync("demo-client", "orders.read");
        var ids = new List<string?>();
        for (var i = 0; i < 5; i++)
        {
            // Through one gateway replica: each replica has its own exchange cache.
            ids.Add((await WhoAmIAsync("/exchange/orders/whoami", token, replica: 0)).GetProperty("tokenId").GetString());
        }

        Assert.NotNull(ids[0]);
        Assert.Single(ids.Distinct());
    }

    [Fact]
    public async Task Exchange_Stock_OrdersDelegatesToInventory()
    {
        var token = await fixture.GetTokenAsync("demo-client", "orders.read inventory.read");

        using var response = await SendAsync("/exchange/orders/ord-a-1001/stock", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stock = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ord-a-1001", stock.GetProperty("orderId").GetString());
        Assert.Equal("WIDGET-1", stock.GetProperty("sku").GetString());
        Assert.True(stock.GetProperty("quantityAvailable").GetInt32() > 0);
    }

    [Fact]
    public async Task Exchange_DelegationChain_InventorySeesTheUserWithNestedActors()
    {
        var token = await fixture.GetTokenAsync("demo-client", "orders.read inventory.read");

        var seen = await WhoAmIAsync("/exchange/orders/delegation/whoami", token);

        Assert.Equal("demo-client", seen.GetProperty("subject").GetString());
        Assert.Equal("tenant-a", seen.GetProperty("tenantId").GetString());
        Assert.Equal("inventory-api", seen.GetProperty("audience").GetString());
        Assert.Equal(fixture.IdentityIssuer, seen.GetProperty("issuer").GetString());
        Assert.Equal(["inventory.read"], Strings(seen.GetProperty("scopes")));
        var actor = seen.GetProperty("actor");
        Assert.Equal("orders-service", actor.GetProperty("subject").GetString());
        Assert.Equal("gateway", actor.GetProperty("actor").GetProperty("subject").GetString());
        Assert.Equal(JsonValueKind.Null, actor.GetProperty("actor").GetProperty("actor").ValueKind);
    }

    [Fact]
    public async Task Exchange_CallerWithoutInventoryScope_OrdersWorkButDelegationRefused()
    {
        var token = await fixture.GetTokenAsync("demo-client-b", "orders.read");

        var seen = await WhoAmIAsync("/exchange/orders/whoami", token);
        using var stock = await SendAsync("/exchange/orders/ord-b-2001/stock", token);

        Assert.Equal(["orders.read"], Strings(seen.GetProperty("scopes")));
        await AuthorizationCodeFlowEndToEndTests.AssertErrorAsync(stock, HttpStatusCode.Forbidden, "delegation_refused");
    }

    [Fact]
    public async Task InternalToken_Stock_424DelegationUnavailable()
    {
        var token = await fixture.GetTokenAsync("demo-client", "orders.read inventory.read");

        using var response = await SendAsync("/api/orders/ord-a-1001/stock", token);

        await AuthorizationCodeFlowEndToEndTests.AssertErrorAsync(response, HttpStatusCode.FailedDependency, "delegation_unavailable");
    }

    [Fact]
    public async Task Headers_OrdersSeesGatewayHeadersAndNoToken()
    {
        var token = await fixture.GetTokenAsync("demo-client", "orders.read inventory.read");

        var seen = await WhoAmIAsync("/headers/orders/whoami", token, requestId: "e2e-headers-1");

        // tokenType trusted-headers: Orders authenticated from the headers, which it does only without Authorization.
        Assert.Equal("trusted-headers", seen.GetProperty("tokenType").GetString());
        Assert.Equal("demo-client", seen.GetProperty("subject").GetString());
        Assert.Equal("tenant-a", seen.GetProperty("tenantId").GetString());
        Assert.Equal(["orders.read"], Strings(seen.GetProperty("scopes")));
        Assert.Equal(JsonValueKind.Null, seen.GetProperty("tokenId").ValueKind);
        var headers = seen.GetProperty("receivedHeaders");
        Assert.Equal("demo-client", headers.GetProperty("x-user-id").GetString());
        Assert.Equal("tenant-a", headers.GetProperty("x-tenant-id").GetString());
        Assert.Equal("orders.read", headers.GetProperty("x-token-scopes").GetString());
        Assert.Equal("e2e-headers-1", headers.GetProperty("x-request-id").GetString());
        Assert.True(headers.TryGetProperty("x-token-expires", out _));
        Assert.False(headers.TryGetProperty("x-internal-token", out _));
    }

    [Fact]
    public async Task PassThrough_InventorySeesTheOriginalTokenUnchanged()
    {
        var token = await fixture.GetTokenAsync("demo-client", "inventory.read");
        var original = JsonDocument.Parse(GatewayEndToEndTests.Base64UrlDecode(token.Split('.')[1])).RootElement;

        var seen = await WhoAmIAsync("/passthrough/inventory/whoami", token);

        Assert.Equal(original.GetProperty("jti").GetString(), seen.GetProperty("tokenId").GetString());
        Assert.Equal(fixture.IdentityIssuer, seen.GetProperty("issuer").GetString());
        Assert.Equal("at+jwt", seen.GetProperty("tokenType").GetString());
        Assert.Equal("demo-client", seen.GetProperty("subject").GetString());
        Assert.Equal(["inventory.read"], Strings(seen.GetProperty("scopes")));
        Assert.Equal(JsonValueKind.Null, seen.GetProperty("actor").ValueKind);
    }

    [Theory]
    [InlineData("/api/orders/whoami", "internal+jwt")]
    [InlineData("/exchange/orders/whoami", "at+jwt")]
    [InlineData("/headers/orders/whoami", "trusted-headers")]
    [InlineData("/passthrough/inventory/whoami", "at+jwt")]
    public async Task Spoofing_IdentityHeadersAndInternalTokenAtTheEdge_StrippedInEveryMode(string path, string tokenType)
    {
        var token = await fixture.GetTokenAsync("demo-client", "orders.read inventory.read");
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("X-User-Id", "admin");
        request.Headers.Add("x-user-id", "root");
        request.Headers.Add("X-Org-Id", "org-b");
        request.Headers.Add("X-User-Roles", "orders.admin");
        request.Headers.Add("X-Token-Scopes", "orders.write");
        request.Headers.Add("X-Internal-Token", ForgedInternalToken());
        using var gateway = fixture.App.CreateHttpClient("gateway");

        using var response = await gateway.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(tokenType, seen.GetProperty("tokenType").GetString());
        Assert.Equal("demo-client", seen.GetProperty("subject").GetString());
        Assert.Equal("tenant-a", seen.GetProperty("tenantId").GetString());
        Assert.DoesNotContain("orders.write", Strings(seen.GetProperty("scopes")));
        Assert.DoesNotContain("orders.admin", Strings(seen.GetProperty("roles")));
        var headers = seen.GetProperty("receivedHeaders");
        Assert.False(headers.TryGetProperty("x-internal-token", out _));
        Assert.False(headers.TryGetProperty("x-user-roles", out _));
        Assert.False(headers.TryGetProperty("x-org-id", out _));
        if (tokenType != "trusted-headers")
        {
            Assert.False(headers.TryGetProperty("x-user-id", out _));
            Assert.False(headers.TryGetProperty("x-tenant-id", out _));
        }
        else
        {
            Assert.Equal("demo-client", headers.GetProperty("x-user-id").GetString());
        }
    }

    [Theory]
    [InlineData("/api/orders/whoami")]
    [InlineData("/exchange/orders/whoami")]
    [InlineData("/headers/orders/whoami")]
    [InlineData("/passthrough/inventory/whoami")]
    public async Task Spoofing_ForgedInternalTokenAsBearer_Returns401InEveryMode(string path)
    {
        using var response = await SendAsync(path, ForgedInternalToken());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_token", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("/api/orders/whoami")]
    [InlineData("/headers/orders/whoami")]
    public async Task Spoofing_TenantHeaderOfAnotherTenant_Returns403TenantMismatch(string path)
    {
        var token = await fixture.GetTokenAsync("demo-client", "orders.read");
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("X-Tenant-Id", "tenant-b");
        using var gateway = fixture.App.CreateHttpClient("gateway");

        using var response = await gateway.SendAsync(request);

        await AuthorizationCodeFlowEndToEndTests.AssertErrorAsync(response, HttpStatusCode.Forbidden, "tenant_mismatch");
    }

    [Fact]
    public async Task Spoofing_IdentityHeadersWithoutToken_Returns401AtTheGateway()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/headers/orders/whoami");
        request.Headers.Add("X-User-Id", "admin");
        request.Headers.Add("X-Tenant-Id", "tenant-a");
        using var gateway = fixture.App.CreateHttpClient("gateway");

        using var response = await gateway.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task AudienceConfinement_OrdersTokenPresentedToInventory_Returns401()
    {
        var subject = await fixture.GetTokenAsync("demo-client", "orders.read inventory.read");
        var ordersToken = await ExchangeAsGatewayAsync(subject, "orders-api", "orders.read inventory.read");
        using var inventory = fixture.App.CreateHttpClient("inventory");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/inventory/items/WIDGET-1");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ordersToken);

        using var response = await inventory.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_token", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Exchange_ForbiddenAudience_InvalidTarget()
    {
        var subject = await fixture.GetTokenAsync("demo-client", "orders.read inventory.read");
        using var identity = fixture.App.CreateHttpClient("identity");

        // orders-service may only ask for inventory-api tokens.
        using var response = await OAuth.PostFormAsync(identity, "/connect/token", OAuth.Basic("orders-service", fixture.App.GetParameterValue("orders-client-secret")), new Dictionary<string, string>
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:token-exchange",
            ["subject_token"] = subject,
            ["subject_token_type"] = "urn:ietf:params:oauth:token-type:access_token",
            ["audience"] = "orders-api",
        });

        await AuthorizationCodeFlowEndToEndTests.AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_target");
    }

    [Theory]
    [InlineData("/api/orders/ord-b-2001")]
    [InlineData("/exchange/orders/ord-b-2001")]
    [InlineData("/headers/orders/ord-b-2001")]
    [InlineData("/exchange/orders/ord-b-2001/stock")]
    public async Task CrossTenant_OtherTenantsOrder_Returns404InEveryMode(string path)
    {
        var token = await fixture.GetTokenAsync("demo-client", "orders.read inventory.read");

        using var response = await SendAsync(path, token);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private async Task<string> ExchangeAsGatewayAsync(string subject, string audience, string scope)
    {
        using var identity = fixture.App.CreateHttpClient("identity");
        using var response = await OAuth.PostFormAsync(identity, "/connect/token", OAuth.Basic("gateway", fixture.App.GetParameterValue("gateway-client-secret")), new Dictionary<string, string>
        {
            ["grant_type"] = "urn:ietf:params:oauth:grant-type:token-exchange",
            ["subject_token"] = subject,
            ["subject_token_type"] = "urn:ietf:params:oauth:token-type:access_token",
            ["audience"] = audience,
            ["scope"] = scope,
        });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"exchange failed: {body}");
        return body.GetProperty("access_token").GetString()!;
    }

    /// <summary>Sends through the gateway: its load balancer, or one replica directly (<paramref name="replica"/>: its caches are its own).</summary>
    private async Task<HttpResponseMessage> SendAsync(string path, string token, string? requestId = null, int? replica = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (requestId is not null)
        {
            request.Headers.Add("X-Request-Id", requestId);
        }

        using var gateway = replica is { } index ? fixture.App.CreateReplicaHttpClient("gateway", index) : fixture.App.CreateHttpClient("gateway");
        return await gateway.SendAsync(request);
    }

    private async Task<JsonElement> WhoAmIAsync(string path, string token, string? requestId = null, int? replica = null)
    {
        using var response = await SendAsync(path, token, requestId, replica);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static List<string?> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString())];

    /// <summary>A token shaped like the gateway's internal tokens but signed by a key nobody trusts.</summary>
    private static string ForgedInternalToken()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = GatewayEndToEndTests.Base64UrlEncode(Encoding.UTF8.GetBytes("""{"alg":"ES256","typ":"internal+jwt","kid":"forged"}"""));
        var payload = GatewayEndToEndTests.Base64UrlEncode(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = GatewayIssuer, ["aud"] = "orders-api", ["sub"] = "admin", ["tenant_id"] = "tenant-b", ["scope"] = "orders.read orders.write inventory.read",
            ["iat"] = now, ["exp"] = now + 300, ["jti"] = Guid.NewGuid().ToString("N"),
        }));
        var signature = key.SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256);
        return header + "." + payload + "." + GatewayEndToEndTests.Base64UrlEncode(signature);
    }
}
