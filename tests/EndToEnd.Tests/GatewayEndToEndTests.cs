using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Reference.EndToEnd.Tests;

[Collection(ReferenceAppTestGroup.Name)]
public sealed class GatewayEndToEndTests(ReferenceAppFixture fixture)
{
    [Fact]
    public async Task Gateway_ClientCredentialsToken_OrdersSeesVerifiedIdentity()
    {
        var token = await fixture.GetTokenAsync("demo-client", "orders.read");
        using var gateway = fixture.App.CreateHttpClient("gateway");

        using var response = await SendAsync(gateway, HttpMethod.Get, "/api/orders/whoami", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("demo-client", seen.GetProperty("subject").GetString());
        Assert.Equal("demo-client", seen.GetProperty("clientId").GetString());
        Assert.Equal("tenant-a", seen.GetProperty("tenantId").GetString());
        Assert.Equal("urn:reference:gateway", seen.GetProperty("issuer").GetString());
        Assert.Equal("orders-api", seen.GetProperty("audience").GetString());
        Assert.Equal("internal+jwt", seen.GetProperty("tokenType").GetString());
        Assert.Equal(fixture.IdentityIssuer, seen.GetProperty("originalIssuer").GetString());
        Assert.Contains("orders.read", seen.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task Gateway_InventoryRoute_InventorySeesItsOwnAudience()
    {
        var token = await fixture.GetTokenAsync("demo-client", "inventory.read");
        using var gateway = fixture.App.CreateHttpClient("gateway");

        using var response = await SendAsync(gateway, HttpMethod.Get, "/api/inventory/whoami", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("inventory-api", seen.GetProperty("audience").GetString());
        Assert.Equal("tenant-a", seen.GetProperty("tenantId").GetString());
    }

    [Fact]
    public async Task Gateway_NoToken_Returns401WithBareBearerChallenge()
    {
        using var gateway = fixture.App.CreateHttpClient("gateway");

        using var response = await gateway.GetAsync(new Uri("/api/orders/whoami", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.DoesNotContain("error=", challenge.Parameter ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gateway_TamperedSignature_Returns401InvalidToken()
    {
        var token = await fixture.GetTokenAsync("demo-client", "orders.read");
        var parts = token.Split('.');
        var signature = parts[2].ToCharArray();
        signature[10] = signature[10] == 'A' ? 'B' : 'A';
        var tampered = $"{parts[0]}.{parts[1]}.{new string(signature)}";

        await AssertInvalidTokenAsync(tampered);
    }

    [Fact]
    public async Task Gateway_TamperedPayload_Returns401InvalidToken()
    {
        var token = await fixture.GetTokenAsync("demo-client-b", "orders.read");
        var parts = token.Split('.');
        var payload = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64UrlDecode(parts[1]))!;
        var forged = payload.ToDictionary(kv => kv.Key, kv => (object)kv.Value);
        forged["tenant_id"] = "tenant-a";
        var tampered = $"{parts[0]}.{Base64UrlEncode(JsonSerializer.SerializeToUtf8Bytes(forged))}.{parts[2]}";

        await AssertInvalidTokenAsync(tampered);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("None")]
    [InlineData("NONE")]
    public async Task Gateway_AlgNone_Returns401InvalidToken(string alg)
    {
        var token = await fixture.GetTokenAsync("demo-client", "orders.read");
        var payload = token.Split('.')[1];
        var header = Base64UrlEncode(Encoding.UTF8.GetBytes($$"""{"alg":"{{alg}}","typ":"at+jwt"}"""));

        await AssertInvalidTokenAsync($"{header}.{payload}.");
    }

    [Fact]
    public async Task Gateway_ExpiredTokenSignedByIssuerKey_Returns401InvalidToken()
    {
        var now = DateTimeOffset.UtcNow;
        var token = SignWithIssuerKey(["reference-api", "orders-api"], issuedAt: now.AddHours(-2), expires: now.AddHours(-1));

        await AssertInvalidTokenAsync(token);
    }

    [Fact]
    public async Task Gateway_WrongAudienceSignedByIssuerKey_Returns401InvalidToken()
    {
        var now = DateTimeOffset.UtcNow;
        var token = SignWithIssuerKey(["some-other-api"], issuedAt: now, expires: now.AddMinutes(5));

        await AssertInvalidTokenAsync(token);
    }

    [Fact]
    public async Task Gateway_ValidTokenSignedByIssuerKey_IsAccepted()
    {
        // Control for the two tests above: the same construction with good claims passes, so their
        // rejections come from the claim under test and not from the way the token was made.
        var now = DateTimeOffset.UtcNow;
        var token = SignWithIssuerKey(["reference-api", "orders-api"], issuedAt: now, expires: now.AddMinutes(5));
        using var gateway = fixture.App.CreateHttpClient("gateway");

        using var response = await SendAsync(gateway, HttpMethod.Get, "/api/orders/whoami", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("demo-client-b", "GET", "/api/inventory/items", "inventory.read")]
    [InlineData("demo-client-b", "POST", "/api/orders", "orders.write")]
    public async Task Gateway_MissingScope_Returns403InsufficientScope(string clientId, string method, string path, string requiredScope)
    {
        var token = await fixture.GetTokenAsync(clientId, null);
        using var gateway = fixture.App.CreateHttpClient("gateway");

        using var response = await SendAsync(gateway, new HttpMethod(method), path, token, JsonContent.Create(new { sku = "SKU-1", quantity = 1 }));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("error=\"insufficient_scope\"", challenge.Parameter, StringComparison.Ordinal);
        Assert.Contains(requiredScope, challenge.Parameter, StringComparison.Ordinal);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("insufficient_scope", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Gateway_SpoofedIdentityHeaders_NeverReachTheService()
    {
        var token = await fixture.GetTokenAsync("demo-client-b", "orders.read");
        using var gateway = fixture.App.CreateHttpClient("gateway");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/whoami");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.TryAddWithoutValidation("X-User-Id", "admin");
        request.Headers.TryAddWithoutValidation("x-user-id", "root");
        // The caller's own tenant: accepted as a resolution input, then stripped like every identity header.
        request.Headers.TryAddWithoutValidation("X-TENANT-ID", "tenant-b");
        request.Headers.TryAddWithoutValidation("X-User-Roles", "admin");
        request.Headers.TryAddWithoutValidation("X-Token-Scopes", "orders.write");

        using var response = await gateway.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = await response.Content.ReadFromJsonAsync<JsonElement>();
        var headers = seen.GetProperty("receivedHeaders");
        Assert.False(headers.TryGetProperty("x-user-id", out _), "x-user-id reached the service");
        Assert.False(headers.TryGetProperty("x-tenant-id", out _), "x-tenant-id reached the service");
        Assert.False(headers.TryGetProperty("x-user-roles", out _), "x-user-roles reached the service");
        Assert.False(headers.TryGetProperty("x-token-scopes", out _), "x-token-scopes reached the service");
        Assert.Equal("tenant-b", seen.GetProperty("tenantId").GetString());
        Assert.Equal("demo-client-b", seen.GetProperty("subject").GetString());
    }

    [Fact]
    public async Task Gateway_TenantHeaderNamingAnotherTenant_Returns403TenantMismatch()
    {
        var token = await fixture.GetTokenAsync("demo-client-b", "orders.read");
        using var gateway = fixture.App.CreateHttpClient("gateway");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/whoami");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.TryAddWithoutValidation("X-Tenant-ID", "tenant-a");

        using var response = await gateway.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("tenant_mismatch", body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("request_id").GetString()));
    }

    [Fact]
    public async Task Gateway_TenantRoute_OwnTenantForwarded_OtherTenant403()
    {
        var token = await fixture.GetTokenAsync("demo-client", "orders.read");
        using var gateway = fixture.App.CreateHttpClient("gateway");

        using var own = new HttpRequestMessage(HttpMethod.Get, "/tenants/tenant-a/orders/whoami");
        own.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var ownResponse = await gateway.SendAsync(own);
        using var other = new HttpRequestMessage(HttpMethod.Get, "/tenants/tenant-b/orders/whoami");
        other.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var otherResponse = await gateway.SendAsync(other);

        Assert.Equal(HttpStatusCode.OK, ownResponse.StatusCode);
        Assert.Equal("tenant-a", (await ownResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("tenantId").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, otherResponse.StatusCode);
        Assert.Equal("tenant_mismatch", (await otherResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Gateway_TenantBToken_SeesOnlyTenantBOrders()
    {
        var tokenA = await fixture.GetTokenAsync("demo-client", "orders.read");
        var tokenB = await fixture.GetTokenAsync("demo-client-b", "orders.read");
        using var gateway = fixture.App.CreateHttpClient("gateway");

        using var responseA = await SendAsync(gateway, HttpMethod.Get, "/api/orders", tokenA);
        using var responseB = await SendAsync(gateway, HttpMethod.Get, "/api/orders", tokenB);

        Assert.Equal(HttpStatusCode.OK, responseA.StatusCode);
        Assert.Equal(HttpStatusCode.OK, responseB.StatusCode);
        var ordersA = await responseA.Content.ReadAsStringAsync();
        var ordersB = await responseB.Content.ReadAsStringAsync();
        Assert.Contains("tenant-a", ordersA, StringComparison.Ordinal);
        Assert.DoesNotContain("tenant-b", ordersA, StringComparison.Ordinal);
        Assert.Contains("tenant-b", ordersB, StringComparison.Ordinal);
        Assert.DoesNotContain("tenant-a", ordersB, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Orders_DirectCallWithoutInternalToken_Returns401()
    {
        using var orders = fixture.App.CreateHttpClient("orders");

        using var response = await orders.GetAsync(new Uri("/orders/whoami", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Orders_DirectCallWithIdentityProviderToken_Returns401()
    {
        var token = await fixture.GetTokenAsync("demo-client", "orders.read");
        using var orders = fixture.App.CreateHttpClient("orders");

        using var response = await SendAsync(orders, HttpMethod.Get, "/orders/whoami", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Gateway_InternalJwks_PublishesOnlyPublicKeys()
    {
        using var gateway = fixture.App.CreateHttpClient("gateway");

        var jwks = await gateway.GetFromJsonAsync<JsonElement>(new Uri("/.well-known/internal-jwks.json", UriKind.Relative));

        var keys = jwks.GetProperty("keys").EnumerateArray().ToList();
        Assert.NotEmpty(keys);
        Assert.All(keys, k =>
        {
            Assert.Equal("EC", k.GetProperty("kty").GetString());
            Assert.False(k.TryGetProperty("d", out _), "private key material published");
        });
    }

    private string SignWithIssuerKey(string[] audience, DateTimeOffset issuedAt, DateTimeOffset expires) =>
        ReferenceAppFixture.SignWithIssuerKey(new Dictionary<string, object>
        {
            ["iss"] = fixture.IdentityIssuer,
            ["sub"] = "demo-client",
            ["client_id"] = "demo-client",
            ["aud"] = audience,
            ["scope"] = "orders.read",
            ["iat"] = issuedAt.ToUnixTimeSeconds(),
            ["nbf"] = issuedAt.ToUnixTimeSeconds(),
            ["exp"] = expires.ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
        });

    private async Task AssertInvalidTokenAsync(string token)
    {
        using var gateway = fixture.App.CreateHttpClient("gateway");

        using var response = await SendAsync(gateway, HttpMethod.Get, "/api/orders/whoami", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("error=\"invalid_token\"", challenge.Parameter, StringComparison.Ordinal);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("invalid_token", body.GetProperty("error").GetString());
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string token, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }

    internal static byte[] Base64UrlDecode(string value)
    {
        var s = value.Replace('-', '+').Replace('_', '/');
        s = s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
        return Convert.FromBase64String(s);
    }

    internal static string Base64UrlEncode(byte[] value) =>
        Convert.ToBase64String(value).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
