using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;
using Reference.TestUtilities;

namespace Reference.SampleServices.Tests.Orders;

public sealed class OrdersApiTests(SampleServicesFixture fixture) : IClassFixture<SampleServicesFixture>
{
    private const string Audience = "orders-api";
    private readonly HttpClient _client = fixture.Orders.CreateClient();

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, object? body = null) =>
        _client.SendAsync(SampleServicesFixture.Request(method, path, token, body is null ? null : JsonContent.Create(body)));

    [Fact]
    public async Task List_TenantA_ReturnsOnlyTenantAOrders()
    {
        var response = await SendAsync(HttpMethod.Get, "/orders", fixture.Token(Audience, "orders.read"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var orders = (await response.JsonAsync()).EnumerateArray().ToList();
        Assert.Contains(orders, o => o.GetProperty("id").GetString() == "ord-a-1001");
        Assert.All(orders, o => Assert.Equal("tenant-a", o.GetProperty("tenantId").GetString()));
    }

    [Fact]
    public async Task List_TenantB_DoesNotSeeTenantAOrders()
    {
        var response = await SendAsync(HttpMethod.Get, "/orders", fixture.Token(Audience, "orders.read", "tenant-b", "demo-client-b"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ids = (await response.JsonAsync()).EnumerateArray().Select(o => o.GetProperty("id").GetString()).ToList();
        Assert.Contains("ord-b-2001", ids);
        Assert.DoesNotContain("ord-a-1001", ids);
        Assert.DoesNotContain("ord-a-1002", ids);
    }

    [Fact]
    public async Task Get_OwnOrder_Returns200()
    {
        var response = await SendAsync(HttpMethod.Get, "/orders/ord-a-1001", fixture.Token(Audience, "orders.read"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("WIDGET-1", (await response.JsonAsync()).GetProperty("sku").GetString());
    }

    [Fact]
    public async Task Get_OtherTenantsOrder_Returns404LikeAMissingOne()
    {
        var tenantB = fixture.Token(Audience, "orders.read", "tenant-b", "demo-client-b");

        var foreign = await SendAsync(HttpMethod.Get, "/orders/ord-a-1001", tenantB);
        var missing = await SendAsync(HttpMethod.Get, "/orders/ord-does-not-exist", tenantB);

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(await missing.Content.ReadAsStringAsync(), await foreign.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Post_WithWriteScope_Creates201VisibleOnlyToOwnTenant()
    {
        var response = await SendAsync(HttpMethod.Post, "/orders", fixture.Token(Audience, "orders.read orders.write"), new { sku = "GADGET-7", quantity = 3 });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.JsonAsync();
        var id = created.GetProperty("id").GetString();
        Assert.Equal("tenant-a", created.GetProperty("tenantId").GetString());
        Assert.Equal($"/orders/{id}", response.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, $"/orders/{id}", fixture.Token(Audience, "orders.read"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"/orders/{id}", fixture.Token(Audience, "orders.read", "tenant-b"))).StatusCode);
    }

    [Fact]
    public async Task Post_ReadScopeOnly_Returns403InsufficientScope()
    {
        var response = await SendAsync(HttpMethod.Post, "/orders", fixture.Token(Audience, "orders.read"), new { sku = "GADGET-7", quantity = 1 });

        await ResponseAssertions.AssertBearerErrorAsync(response, HttpStatusCode.Forbidden, "insufficient_scope",
            "Bearer error=\"insufficient_scope\", scope=\"orders.write\"");
    }

    [Fact]
    public async Task List_WriteScopeOnly_Returns403InsufficientScope()
    {
        var response = await SendAsync(HttpMethod.Get, "/orders", fixture.Token(Audience, "orders.write"));

        await ResponseAssertions.AssertBearerErrorAsync(response, HttpStatusCode.Forbidden, "insufficient_scope",
            "Bearer error=\"insufficient_scope\", scope=\"orders.read\"");
    }

    [Theory]
    [InlineData("", 1)]
    [InlineData("../etc", 1)]
    [InlineData("GADGET-7", 0)]
    [InlineData("GADGET-7", 1001)]
    public async Task Post_InvalidBody_Returns400ValidationProblem(string sku, int quantity)
    {
        var response = await SendAsync(HttpMethod.Post, "/orders", fixture.Token(Audience, "orders.write"), new { sku, quantity });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Post_TokenWithoutTenant_Returns403()
    {
        var claims = InternalTokenTestSigner.DefaultClaims(fixture.Time.GetUtcNow(), Audience, "orders.write");
        claims["tenant_id"] = null;

        var response = await SendAsync(HttpMethod.Post, "/orders", fixture.Signer.CreateToken(claims), new { sku = "GADGET-7", quantity = 1 });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task WhoAmI_ValidToken_ReturnsWhatWasVerified()
    {
        var claims = InternalTokenTestSigner.DefaultClaims(fixture.Time.GetUtcNow(), Audience, "orders.read orders.write", "tenant-b", "demo-client-b");
        using var request = SampleServicesFixture.Request(HttpMethod.Get, "/orders/whoami", fixture.Signer.CreateToken(claims));
        request.Headers.Add("X-Request-Id", "abc-123");
        request.Headers.Add("X-Custom-Thing", "yes");

        var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("demo-client-b", body.GetProperty("subject").GetString());
        Assert.Equal("demo-client-b", body.GetProperty("clientId").GetString());
        Assert.Equal("tenant-b", body.GetProperty("tenantId").GetString());
        Assert.Equal(["orders.read", "orders.write"], body.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("urn:reference:gateway", body.GetProperty("issuer").GetString());
        Assert.Equal(Audience, body.GetProperty("audience").GetString());
        Assert.Equal("http://127.0.0.1:5001", body.GetProperty("originalIssuer").GetString());
        Assert.Equal("internal+jwt", body.GetProperty("tokenType").GetString());
        Assert.Equal(claims["request_id"], body.GetProperty("requestId").GetString());
        var headers = body.GetProperty("receivedHeaders");
        Assert.Equal("abc-123", headers.GetProperty("x-request-id").GetString());
        Assert.Equal("yes", headers.GetProperty("x-custom-thing").GetString());
        Assert.False(headers.TryGetProperty("authorization", out _));
    }

    [Theory]
    [InlineData("GET", "/orders")]
    [InlineData("GET", "/orders/ord-a-1001")]
    [InlineData("GET", "/orders/whoami")]
    [InlineData("POST", "/orders")]
    public async Task DirectCall_WithoutToken_Returns401BareChallenge(string method, string path)
    {
        var response = await SendAsync(new HttpMethod(method), path, token: null, method == "POST" ? new { sku = "GADGET-7", quantity = 1 } : null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).ToString());
        Assert.Equal("missing_token", (await response.JsonAsync()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task DirectCall_RawIdpAccessToken_Returns401InvalidToken()
    {
        // What a client would send the gateway: an RFC 9068 access token from the IdP, RS256.
        using var rsa = RSA.Create(2048);
        var now = fixture.Time.GetUtcNow();
        var header = new Dictionary<string, object?> { ["alg"] = "RS256", ["typ"] = "at+jwt", ["kid"] = "idp-key-1" };
        var claims = new Dictionary<string, object?>
        {
            ["iss"] = "http://127.0.0.1:5001", ["sub"] = "demo-client", ["aud"] = new[] { "reference-api", Audience },
            ["client_id"] = "demo-client", ["scope"] = "orders.read", ["tenant_id"] = "tenant-a",
            ["iat"] = now.ToUnixTimeSeconds(), ["exp"] = now.AddMinutes(15).ToUnixTimeSeconds(),
        };
        var input = InternalTokenTestSigner.Encode(header) + "." + InternalTokenTestSigner.Encode(claims);
        var token = input + "." + Base64UrlEncoder.Encode(rsa.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

        var response = await SendAsync(HttpMethod.Get, "/orders", token);

        await ResponseAssertions.AssertBearerErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_token", "Bearer error=\"invalid_token\"");
    }

    [Fact]
    public async Task DirectCall_InternalTokenForInventory_Returns401InvalidToken()
    {
        var response = await SendAsync(HttpMethod.Get, "/orders", fixture.Token("inventory-api", "orders.read"));

        await ResponseAssertions.AssertBearerErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_token", "Bearer error=\"invalid_token\"");
    }

    [Fact]
    public async Task Health_WithoutToken_Returns200()
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/alive")).StatusCode);
    }
}
