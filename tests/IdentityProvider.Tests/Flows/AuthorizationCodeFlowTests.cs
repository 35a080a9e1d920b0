using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using static Reference.IdentityProvider.Tests.IdentityProviderFactory;
using static Reference.IdentityProvider.Tests.TokenRequests;

namespace Reference.IdentityProvider.Tests.Flows;

/// <summary>
/// The whole authorization code flow in-process, every part real: authorize (PKCE S256) → login page (antiforgery) →
/// code → token (access, ID, refresh) → userinfo → refresh rotation → introspection → revocation → refresh reuse;
/// and a replayed code revoking what it issued.
/// </summary>
public sealed class AuthorizationCodeFlowTests(IdentityProviderFactory factory) : IClassFixture<IdentityProviderFactory>
{
    private const string UserInfoPath = "/connect/userinfo";
    private const string IntrospectionPath = "/connect/introspect";
    private const string RevocationPath = "/connect/revocation";
    private const string FullScope = "openid profile email offline_access orders.read";

    [Fact]
    public async Task CodeFlow_EndToEnd_IssuesRotatesIntrospectsRevokesAndDetectsRefreshReuse()
    {
        using var browser = Browser.Create(factory);
        var client = factory.CreateClient();

        var code = await SignInForCodeAsync(browser, FullScope);
        var tokens = await RedeemCodeAsync(client, code);
        Assert.Equal(HttpStatusCode.OK, tokens.Status);
        var accessToken = tokens.Json.GetProperty("access_token").GetString()!;
        var refreshToken = tokens.Json.GetProperty("refresh_token").GetString()!;
        var idToken = new JsonWebToken(tokens.Json.GetProperty("id_token").GetString()!);
        Assert.Equal("n-456", idToken.GetPayloadValue<string>("nonce"));
        Assert.Equal("demo-web", idToken.Audiences.Single());
        Assert.Equal(FullScope, tokens.Json.GetProperty("scope").GetString());

        var userInfo = await UserInfoAsync(client, accessToken);
        Assert.Equal(HttpStatusCode.OK, userInfo.Status);
        Assert.Equal(idToken.Subject, userInfo.Json.GetProperty("sub").GetString());
        Assert.Equal("tenant-a", userInfo.Json.GetProperty("tenant_id").GetString());
        Assert.True(userInfo.Json.TryGetProperty("email", out _));

        var rotated = await RefreshAsync(client, refreshToken);
        Assert.Equal(HttpStatusCode.OK, rotated.Status);
        var newAccessToken = rotated.Json.GetProperty("access_token").GetString()!;
        var newRefreshToken = rotated.Json.GetProperty("refresh_token").GetString()!;
        Assert.NotEqual(refreshToken, newRefreshToken);

        var active = await IntrospectAsync(client, newAccessToken);
        Assert.True(active.GetProperty("active").GetBoolean());
        Assert.Equal(idToken.Subject, active.GetProperty("sub").GetString());
        Assert.Equal("demo-web", active.GetProperty("client_id").GetString());

        using (var revoke = await client.SendAsync(PostTo(RevocationPath, [P("token", newAccessToken), P("token_type_hint", "access_token")], "demo-web", DemoWebSecret)))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        Assert.Equal("""{"active":false}""", (await IntrospectAsync(client, newAccessToken)).GetRawText());
        Assert.Equal(HttpStatusCode.Unauthorized, (await UserInfoAsync(client, newAccessToken)).Status);

        var reuse = await RefreshAsync(client, refreshToken);
        Assert.Equal(HttpStatusCode.BadRequest, reuse.Status);
        Assert.Equal("invalid_grant", reuse.Json.GetProperty("error").GetString());
        var afterReuse = await RefreshAsync(client, newRefreshToken);
        Assert.Equal(HttpStatusCode.BadRequest, afterReuse.Status);
        Assert.Equal("invalid_grant", afterReuse.Json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task CodeFlow_CodeReplayed_RejectsAndRevokesTheTokensTheCodeIssued()
    {
        using var browser = Browser.Create(factory);
        var client = factory.CreateClient();
        var code = await SignInForCodeAsync(browser, FullScope);
        var first = await RedeemCodeAsync(client, code);
        Assert.Equal(HttpStatusCode.OK, first.Status);
        var accessToken = first.Json.GetProperty("access_token").GetString()!;
        Assert.True((await IntrospectAsync(client, accessToken)).GetProperty("active").GetBoolean());

        var replay = await RedeemCodeAsync(client, code);

        Assert.Equal(HttpStatusCode.BadRequest, replay.Status);
        Assert.Equal("invalid_grant", replay.Json.GetProperty("error").GetString());
        Assert.Equal("""{"active":false}""", (await IntrospectAsync(client, accessToken)).GetRawText());
        Assert.Equal(HttpStatusCode.Unauthorized, (await UserInfoAsync(client, accessToken)).Status);
        var refresh = await RefreshAsync(client, first.Json.GetProperty("refresh_token").GetString()!);
        Assert.Equal(HttpStatusCode.BadRequest, refresh.Status);
        Assert.Equal("invalid_grant", refresh.Json.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("openid")]
    [InlineData("openid email")]
    [InlineData("openid orders.read")]
    public async Task CodeFlow_AccessTokenFromTheCodeGrant_IsAcceptedByUserInfo(string scope)
    {
        using var browser = Browser.Create(factory);
        var client = factory.CreateClient();
        var tokens = await RedeemCodeAsync(client, await SignInForCodeAsync(browser, scope));
        Assert.Equal(HttpStatusCode.OK, tokens.Status);

        var userInfo = await UserInfoAsync(client, tokens.Json.GetProperty("access_token").GetString()!);

        Assert.Equal(HttpStatusCode.OK, userInfo.Status);
        Assert.False(string.IsNullOrEmpty(userInfo.Json.GetProperty("sub").GetString()));
        Assert.Equal(scope.Contains("email", StringComparison.Ordinal), userInfo.Json.TryGetProperty("email", out _));
    }

    [Fact]
    public async Task CodeFlow_ReferenceTokenClient_UserInfoAcceptsTheReferenceToken()
    {
        var settings = DefaultSettings();
        settings["IdentityProvider:Clients:demo-web:AccessTokenType"] = "Reference";
        using var referenceFactory = IdentityProviderFactory.Create(settings);
        using var browser = Browser.Create(referenceFactory);
        var client = referenceFactory.CreateClient();
        var tokens = await RedeemCodeAsync(client, await SignInForCodeAsync(browser, "openid email"));
        Assert.Equal(HttpStatusCode.OK, tokens.Status);
        var accessToken = tokens.Json.GetProperty("access_token").GetString()!;
        Assert.DoesNotContain('.', accessToken);

        var userInfo = await UserInfoAsync(client, accessToken);

        Assert.Equal(HttpStatusCode.OK, userInfo.Status);
        Assert.Equal("tenant-a", userInfo.Json.GetProperty("tenant_id").GetString());
        Assert.True(userInfo.Json.TryGetProperty("email", out _));
    }

    private static async Task<string> SignInForCodeAsync(Browser browser, string scope)
    {
        var callback = await browser.AuthorizeAsync(Browser.AuthorizeUrl(overrides: ("scope", scope)));
        var query = Browser.Query(callback);
        Assert.Equal(DemoWebRedirectUri, callback.GetLeftPart(UriPartial.Path));
        Assert.Equal("st-123", query["state"]);
        return query["code"];
    }

    private static Task<(HttpStatusCode Status, JsonElement Json)> RedeemCodeAsync(HttpClient client, string code) =>
        SendAsync(client, Post(
            [P("grant_type", "authorization_code"), P("code", code), P("redirect_uri", DemoWebRedirectUri), P("code_verifier", Browser.Verifier)],
            "demo-web",
            DemoWebSecret));

    private static Task<(HttpStatusCode Status, JsonElement Json)> RefreshAsync(HttpClient client, string refreshToken) =>
        SendAsync(client, Post([P("grant_type", "refresh_token"), P("refresh_token", refreshToken)], "demo-web", DemoWebSecret));

    private static async Task<JsonElement> IntrospectAsync(HttpClient client, string token)
    {
        var (status, json) = await SendAsync(client, PostTo(IntrospectionPath, [P("token", token)], "reference-api", ReferenceApiSecret));
        Assert.Equal(HttpStatusCode.OK, status);
        return json;
    }

    private static HttpRequestMessage PostTo(string path, IEnumerable<KeyValuePair<string, string>> form, string clientId, string secret)
    {
        var request = Post(form, clientId, secret);
        request.RequestUri = new Uri(path, UriKind.Relative);
        return request;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Json)> UserInfoAsync(HttpClient client, string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, UserInfoPath);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone());
    }

    private static async Task<(HttpStatusCode Status, JsonElement Json)> SendAsync(HttpClient client, HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await client.SendAsync(request);
            return (response.StatusCode, await ReadJsonAsync(response));
        }
    }
}
