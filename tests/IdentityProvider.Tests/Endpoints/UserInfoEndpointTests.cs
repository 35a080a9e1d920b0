using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Reference.Redis;
using static Reference.IdentityProvider.Tests.TokenRequests;

namespace Reference.IdentityProvider.Tests.Endpoints;

public sealed class UserInfoEndpointTests(IdentityProviderFactory factory) : IClassFixture<IdentityProviderFactory>
{
    private const string UserInfoPath = "/connect/userinfo";
    private const string Alice = "0b6c1a9e-alice";

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    public async Task UserInfo_ValidTokenWithProfileAndEmail_ReturnsClaims(string method)
    {
        var token = await SelfIssuedTokens.AccessTokenAsync(factory, Alice, "openid profile email orders.read");

        using var response = await SendAsync(method, token);
        var json = await ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Alice, json.GetProperty("sub").GetString());
        Assert.Equal("Alice (DEV-ONLY)", json.GetProperty("name").GetString());
        Assert.Equal("alice@tenant-a.example", json.GetProperty("email").GetString());
        Assert.True(json.GetProperty("email_verified").GetBoolean());
        Assert.Equal("tenant-a", json.GetProperty("tenant_id").GetString());
        Assert.True(response.Headers.CacheControl?.NoStore);
    }

    [Fact]
    public async Task UserInfo_OpenIdOnly_ReturnsNoProfileOrEmail()
    {
        var token = await SelfIssuedTokens.AccessTokenAsync(factory, Alice, "openid");

        using var response = await SendAsync("GET", token);
        var json = await ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Alice, json.GetProperty("sub").GetString());
        Assert.False(json.TryGetProperty("email", out _));
        Assert.False(json.TryGetProperty("name", out _));
    }

    [Fact]
    public async Task UserInfo_TokenWithoutOpenId_Returns403InsufficientScope()
    {
        var token = await SelfIssuedTokens.AccessTokenAsync(factory, Alice, "orders.read");

        using var response = await SendAsync("GET", token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("error=\"insufficient_scope\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserInfo_NoCredentials_Returns401ChallengeWithoutErrorCode()
    {
        using var response = await factory.CreateClient().GetAsync(UserInfoPath);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task UserInfo_TokenInQueryString_Returns400InvalidRequest()
    {
        var token = await SelfIssuedTokens.AccessTokenAsync(factory, Alice, "openid");

        using var response = await factory.CreateClient().GetAsync(UserInfoPath + "?access_token=" + token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("error=\"invalid_request\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserInfo_TokenInBodyAndHeader_Returns400InvalidRequest()
    {
        var token = await SelfIssuedTokens.AccessTokenAsync(factory, Alice, "openid");
        using var request = new HttpRequestMessage(HttpMethod.Post, UserInfoPath)
        {
            Content = new FormUrlEncodedContent([P("access_token", token)]),
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
        };

        using var response = await factory.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("error=\"invalid_request\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    public static TheoryData<string> BadTokenKinds => new() { "expired", "foreign-key", "id-token-typ", "garbage", "unknown-subject" };

    [Theory]
    [MemberData(nameof(BadTokenKinds))]
    public async Task UserInfo_InvalidToken_Returns401InvalidToken(string kind)
    {
        using var isolated = new IdentityProviderFactory();
        var token = kind switch
        {
            "foreign-key" => await SelfIssuedTokens.AccessTokenAsync(isolated, Alice, "openid", credentials: SelfIssuedTokens.ForeignCredentials()),
            "id-token-typ" => await SelfIssuedTokens.AccessTokenAsync(isolated, Alice, "openid", typ: "JWT"),
            "garbage" => "not.a.jwt",
            "unknown-subject" => await SelfIssuedTokens.AccessTokenAsync(isolated, "nobody", "openid"),
            _ => await SelfIssuedTokens.AccessTokenAsync(isolated, Alice, "openid"),
        };
        if (kind == "expired")
        {
            isolated.Time.Advance(TimeSpan.FromMinutes(11));
        }

        using var response = await SendAsync("GET", token, isolated.CreateClient());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserInfo_RevokedJti_Returns401InvalidToken()
    {
        var jti = Guid.NewGuid().ToString("N");
        var token = await SelfIssuedTokens.AccessTokenAsync(factory, Alice, "openid", jti);
        using var before = await SendAsync("GET", token);
        await factory.Services.GetRequiredService<RedisClient>().SetAsync($"revoked:jti:{jti}", "1", TimeSpan.FromMinutes(5));

        using var after = await SendAsync("GET", token);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Contains("error=\"invalid_token\"", after.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> SendAsync(string method, string token, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), UserInfoPath)
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
        };
        return await (client ?? factory.CreateClient()).SendAsync(request);
    }
}
