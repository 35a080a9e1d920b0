using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Reference.EndToEnd.Tests;

/// <summary>RFC 8693 token exchange by the <c>gateway</c> client against the running IdP.</summary>
[Collection(ReferenceAppTestGroup.Name)]
public sealed class TokenExchangeEndToEndTests(ReferenceAppFixture fixture)
{
    private const string GrantType = "urn:ietf:params:oauth:grant-type:token-exchange";
    private const string AccessTokenType = "urn:ietf:params:oauth:token-type:access_token";

    [Fact]
    public async Task Exchange_DemoClientTokenForOrdersApi_OnlyOrdersAudienceActedByGateway()
    {
        var subject = await fixture.GetTokenAsync("demo-client", "orders.read inventory.read");

        using var response = await ExchangeAsync(new() { ["subject_token"] = subject, ["subject_token_type"] = AccessTokenType, ["audience"] = "orders-api" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(AccessTokenType, body.GetProperty("issued_token_type").GetString());
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.False(body.TryGetProperty("refresh_token", out _), "a token exchange issued a refresh token");
        var claims = JsonDocument.Parse(GatewayEndToEndTests.Base64UrlDecode(body.GetProperty("access_token").GetString()!.Split('.')[1])).RootElement;
        var audience = claims.GetProperty("aud");
        var audiences = audience.ValueKind == JsonValueKind.Array ? audience.EnumerateArray().Select(a => a.GetString()).ToList() : [audience.GetString()];
        Assert.Equal(["orders-api"], audiences);
        Assert.Equal("demo-client", claims.GetProperty("sub").GetString());
        Assert.Equal("gateway", claims.GetProperty("act").GetProperty("sub").GetString());
        Assert.Equal("orders.read", claims.GetProperty("scope").GetString());
    }

    [Theory]
    [InlineData("audience", "reference-api", "invalid_target")]
    [InlineData("scope", "orders.write", "invalid_scope")]
    [InlineData("actor_token", "SUBJECT", "invalid_request")]
    [InlineData("subject_token_type", null, "invalid_request")]
    public async Task Exchange_BadRequest_Returns400WithErrorCode(string parameter, string? value, string error)
    {
        var subject = await fixture.GetTokenAsync("demo-client", "orders.read");
        var form = new Dictionary<string, string> { ["subject_token"] = subject, ["subject_token_type"] = AccessTokenType, ["audience"] = "orders-api" };
        if (value is null)
        {
            form.Remove(parameter);
        }
        else
        {
            form[parameter] = value == "SUBJECT" ? subject : value;
        }

        using var response = await ExchangeAsync(form);

        await AuthorizationCodeFlowEndToEndTests.AssertErrorAsync(response, HttpStatusCode.BadRequest, error);
    }

    private async Task<HttpResponseMessage> ExchangeAsync(Dictionary<string, string> form)
    {
        form["grant_type"] = GrantType;
        using var identity = fixture.App.CreateHttpClient("identity");
        return await OAuth.PostFormAsync(identity, "/connect/token", OAuth.Basic("gateway", fixture.App.GetParameterValue("gateway-client-secret")), form);
    }
}
