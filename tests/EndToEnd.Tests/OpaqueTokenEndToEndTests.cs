using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Reference.EndToEnd.Tests;

/// <summary>Reference (opaque) tokens from the real IdP, introspected by the gateway's <c>introspection</c> scheme.</summary>
[Collection(ReferenceAppTestGroup.Name)]
public sealed class OpaqueTokenEndToEndTests(ReferenceAppFixture fixture)
{
    [Fact]
    public async Task OpaqueRoute_ReferenceToken_OrdersSeesTheClient()
    {
        var token = await fixture.GetTokenAsync("demo-reference", "orders.read");
        Assert.DoesNotContain('.', token);
        using var gateway = fixture.App.CreateHttpClient("gateway");

        using var response = await SendAsync(gateway, "/opaque/orders/whoami", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("demo-reference", seen.GetProperty("subject").GetString());
        Assert.Equal("demo-reference", seen.GetProperty("clientId").GetString());
        Assert.Equal("tenant-a", seen.GetProperty("tenantId").GetString());
        Assert.Equal("internal+jwt", seen.GetProperty("tokenType").GetString());
    }

    [Fact]
    public async Task JwtRoute_ReferenceToken_Returns401InvalidToken()
    {
        var token = await fixture.GetTokenAsync("demo-reference", "orders.read");
        using var gateway = fixture.App.CreateHttpClient("gateway");

        using var response = await SendAsync(gateway, "/api/orders/whoami", token);

        await AssertInvalidTokenAsync(response);
    }

    [Fact]
    public async Task OpaqueRoute_RandomString_Returns401InvalidToken()
    {
        using var gateway = fixture.App.CreateHttpClient("gateway");

        using var response = await SendAsync(gateway, "/opaque/orders/whoami", OAuth.RandomValue());

        await AssertInvalidTokenAsync(response);
    }

    private static async Task AssertInvalidTokenAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("error=\"invalid_token\"", challenge.Parameter, StringComparison.Ordinal);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("invalid_token", body.GetProperty("error").GetString());
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }
}
