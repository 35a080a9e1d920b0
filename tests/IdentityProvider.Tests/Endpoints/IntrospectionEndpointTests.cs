using System.Net;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using static Reference.IdentityProvider.Tests.IdentityProviderFactory;
using static Reference.IdentityProvider.Tests.TokenRequests;
using static Reference.IdentityProvider.Tests.Validation.AuthorizationCodeGrantTests;

namespace Reference.IdentityProvider.Tests.Endpoints;

public sealed class IntrospectionEndpointTests(LifecycleHost host) : IClassFixture<LifecycleHost>
{
    private const string Inactive = """{"active":false}""";

    [Fact]
    public async Task Introspect_AudienceResourceWithJwt_ReturnsActiveWithClaims()
    {
        using var client = host.CreateClient();
        var token = await GetAccessTokenAsync(client, TestClientId, TestClientSecret, "orders.read");

        var json = await host.IntrospectAsync(token);

        Assert.True(json.GetProperty("active").GetBoolean());
        Assert.Equal(TestClientId, json.GetProperty("client_id").GetString());
        Assert.Equal(TestClientId, json.GetProperty("sub").GetString());
        Assert.Equal("orders.read", json.GetProperty("scope").GetString());
        Assert.Equal("tenant-t", json.GetProperty("tenant_id").GetString());
        Assert.Equal(Issuer, json.GetProperty("iss").GetString());
        Assert.Equal(new JsonWebToken(token).Id, json.GetProperty("jti").GetString());
        Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
        foreach (var member in new[] { "exp", "iat", "nbf", "aud" })
        {
            Assert.True(json.TryGetProperty(member, out _), member);
        }
    }

    [Fact]
    public async Task Introspect_UserToken_CarriesSubjectAndSession()
    {
        var signIn = await host.SignInAsync();

        var json = await host.IntrospectAsync(signIn.GetProperty("access_token").GetString()!);

        Assert.Equal(LifecycleHost.Alice, json.GetProperty("sub").GetString());
        Assert.Equal(CodeClientId, json.GetProperty("client_id").GetString());
        Assert.StartsWith("sid-", json.GetProperty("sid").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("orders.read")]
    [InlineData("es.read")]
    public async Task Introspect_TheClientTheTokenWasIssuedTo_ReturnsActive(string scope)
    {
        using var client = host.CreateClient();
        var token = await GetAccessTokenAsync(client, TestClientId, TestClientSecret, scope);

        var json = await host.IntrospectAsync(token, TestClientId, TestClientSecret);

        Assert.True(json.GetProperty("active").GetBoolean());
        Assert.Equal(scope, json.GetProperty("scope").GetString());
    }

    [Theory]
    [InlineData("inventory-api", InventoryApiSecret)]
    [InlineData("demo-client-b", DemoClientBSecret)]
    public async Task Introspect_CallerOutsideTheAudience_ReturnsExactlyInactive(string caller, string secret)
    {
        using var client = host.CreateClient();
        var token = await GetAccessTokenAsync(client, TestClientId, TestClientSecret, "orders.read");

        var json = await host.IntrospectAsync(token, caller, secret);

        Assert.Equal(Inactive, json.GetRawText());
    }

    [Fact]
    public async Task Introspect_RefreshTokenByAResource_ReturnsExactlyInactive()
    {
        var refreshToken = (await host.SignInAsync()).GetProperty("refresh_token").GetString()!;

        Assert.Equal(Inactive, (await host.IntrospectAsync(refreshToken, hint: "refresh_token")).GetRawText());
        Assert.Equal(Inactive, (await host.IntrospectAsync(refreshToken, OtherCodeClientId, OtherCodeClientSecret)).GetRawText());
        Assert.True((await host.IntrospectAsync(refreshToken, CodeClientId, CodeClientSecret, hint: "access_token")).GetProperty("active").GetBoolean());
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")]
    public async Task Introspect_UnknownOrMalformedToken_ReturnsExactlyInactive(string token)
    {
        if (token.Length == 0)
        {
            using var missing = await host.SendIntrospectionAsync(token);
            await AssertErrorAsync(missing, HttpStatusCode.BadRequest, "invalid_request", "missing token");
            return;
        }

        Assert.Equal(Inactive, (await host.IntrospectAsync(token)).GetRawText());
    }

    [Fact]
    public async Task Introspect_ExpiredJwt_ReturnsExactlyInactive()
    {
        using var client = host.CreateClient();
        var token = await GetAccessTokenAsync(client, ShortLivedClientId, ShortLivedClientSecret);
        host.Time.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(Inactive, (await host.IntrospectAsync(token)).GetRawText());
    }

    [Fact]
    public async Task Introspect_RevokedJti_ReturnsExactlyInactive()
    {
        using var client = host.CreateClient();
        var token = await GetAccessTokenAsync(client, TestClientId, TestClientSecret, "orders.read");
        await host.Redis.SetAsync("revoked:jti:" + new JsonWebToken(token).Id, "1", TimeSpan.FromMinutes(10));

        Assert.Equal(Inactive, (await host.IntrospectAsync(token)).GetRawText());
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("reference-api", "wrong-secret")]
    [InlineData("unknown-caller", "secret")]
    [InlineData("orders-api", "no-secret-configured")]
    public async Task Introspect_WithoutValidCallerAuthentication_Returns401(string? caller, string? secret)
    {
        using var response = await host.SendIntrospectionAsync("anything", caller, secret);

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client", caller ?? "no credentials");
        Assert.Equal("Basic", response.Challenge()?.Scheme);
    }

    [Fact]
    public async Task Introspect_PublicClient_Returns401()
    {
        using var response = await host.SendIntrospectionAsync("anything", PublicClientId, secret: null);

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client", "public client");
    }

    [Fact]
    public async Task Introspect_Get_ReturnsInvalidRequest()
    {
        using var client = host.CreateClient();

        using var response = await client.GetAsync("/connect/introspect?token=abc");

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request", "GET");
    }

    [Fact]
    public async Task Introspect_JsonBody_ReturnsInvalidRequest()
    {
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/introspect") { Content = new StringContent("""{"token":"abc"}""", Encoding.UTF8, "application/json") };
        request.Headers.Authorization = Basic("reference-api", ReferenceApiSecret);

        using var response = await client.SendAsync(request);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request", "JSON body");
    }
}
