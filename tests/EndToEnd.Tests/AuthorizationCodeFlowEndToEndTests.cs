using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Reference.EndToEnd.Tests;

/// <summary>demo-web (confidential, code + PKCE) against the running IdentityProvider, with a browser that posts the login form.</summary>
[Collection(ReferenceAppTestGroup.Name)]
public sealed class AuthorizationCodeFlowEndToEndTests(ReferenceAppFixture fixture)
{
    private const string ClientId = "demo-web";
    private const string RedirectUri = "http://localhost:5099/callback";

    [Fact]
    public async Task CodeFlow_AliceSignsIn_TokensValidateRefreshRotatesAndRevocationEndsThem()
    {
        using var browser = new Browser();
        var authorization = await AuthorizeAsync(browser, "alice");

        using var identity = fixture.App.CreateHttpClient("identity");
        using var tokenResponse = await RedeemAsync(identity, authorization.Code, authorization.Verifier);
        Assert.Equal(HttpStatusCode.OK, tokenResponse.StatusCode);
        var tokens = await tokenResponse.Content.ReadFromJsonAsync<JsonElement>();
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        var idToken = tokens.GetProperty("id_token").GetString()!;
        var refreshToken = tokens.GetProperty("refresh_token").GetString()!;
        Assert.Equal("Bearer", tokens.GetProperty("token_type").GetString());

        // Interop: a stock OIDC client library validates both tokens from the IdP's own discovery document and JWKS.
        var configuration = await GetDiscoveryAsync(identity);
        Assert.Equal(fixture.IdentityIssuer, configuration.Issuer);
        var handler = new JsonWebTokenHandler();
        var idResult = await handler.ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            ValidIssuer = configuration.Issuer,
            ValidAudience = ClientId,
            IssuerSigningKeys = configuration.SigningKeys,
            ValidTypes = ["JWT"],
        });
        Assert.True(idResult.IsValid, $"id_token: {idResult.Exception}");
        Assert.Equal("0b6c1a9e-alice", idResult.Claims["sub"]);
        Assert.Equal(authorization.Nonce, idResult.Claims["nonce"]);
        Assert.Equal(ClientId, idResult.Claims["azp"]);
        var accessResult = await handler.ValidateTokenAsync(accessToken, new TokenValidationParameters
        {
            ValidIssuer = configuration.Issuer,
            ValidAudience = "orders-api",
            IssuerSigningKeys = configuration.SigningKeys,
            ValidTypes = ["at+jwt"],
        });
        Assert.True(accessResult.IsValid, $"access_token: {accessResult.Exception}");
        Assert.Equal("0b6c1a9e-alice", accessResult.Claims["sub"]);
        Assert.Equal(ClientId, accessResult.Claims["client_id"]);
        Assert.Equal(idResult.Claims["sid"], accessResult.Claims["sid"]);

        using var userInfoRequest = new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo");
        userInfoRequest.Headers.Authorization = new("Bearer", accessToken);
        using var userInfoResponse = await identity.SendAsync(userInfoRequest);
        Assert.Equal(HttpStatusCode.OK, userInfoResponse.StatusCode);
        var userInfo = await userInfoResponse.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("0b6c1a9e-alice", userInfo.GetProperty("sub").GetString());
        Assert.Equal("alice@tenant-a.example", userInfo.GetProperty("email").GetString());

        Assert.True(await IntrospectAsync(identity, accessToken));
        using var revocation = await OAuth.PostFormAsync(identity, "/connect/revocation", ClientAuthentication(), new Dictionary<string, string>
        {
            ["token"] = accessToken,
            ["token_type_hint"] = "access_token",
        });
        Assert.Equal(HttpStatusCode.OK, revocation.StatusCode);
        Assert.False(await IntrospectAsync(identity, accessToken));

        using var refreshed = await RefreshAsync(identity, refreshToken);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var rotated = await refreshed.Content.ReadFromJsonAsync<JsonElement>();
        var newRefreshToken = rotated.GetProperty("refresh_token").GetString()!;
        var newAccessToken = rotated.GetProperty("access_token").GetString()!;
        Assert.NotEqual(refreshToken, newRefreshToken);
        Assert.True(await IntrospectAsync(identity, newAccessToken));

        using var reuse = await RefreshAsync(identity, refreshToken);
        await AssertErrorAsync(reuse, HttpStatusCode.BadRequest, "invalid_grant");
        using var afterFamilyRevoked = await RefreshAsync(identity, newRefreshToken);
        await AssertErrorAsync(afterFamilyRevoked, HttpStatusCode.BadRequest, "invalid_grant");
        Assert.False(await IntrospectAsync(identity, newAccessToken));
    }

    [Fact]
    public async Task CodeFlow_CodeReplayed_InvalidGrantAndFirstTokensRevoked()
    {
        using var browser = new Browser();
        var authorization = await AuthorizeAsync(browser, "alice");
        using var identity = fixture.App.CreateHttpClient("identity");

        using var first = await RedeemAsync(identity, authorization.Code, authorization.Verifier);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var tokens = await first.Content.ReadFromJsonAsync<JsonElement>();
        using var replay = await RedeemAsync(identity, authorization.Code, authorization.Verifier);

        await AssertErrorAsync(replay, HttpStatusCode.BadRequest, "invalid_grant");
        using var refresh = await RefreshAsync(identity, tokens.GetProperty("refresh_token").GetString()!);
        await AssertErrorAsync(refresh, HttpStatusCode.BadRequest, "invalid_grant");
        Assert.False(await IntrospectAsync(identity, tokens.GetProperty("access_token").GetString()!));
    }

    [Fact]
    public async Task Login_WrongPasswordOrUnknownUser_SameGenericMessageAndNoSession()
    {
        using var browser = new Browser();
        var (authorizeUrl, _, _, _) = AuthorizeUrl();
        var (loginPage, loginUrl) = await browser.FollowAsync(authorizeUrl);
        Assert.Equal(HttpStatusCode.OK, loginPage.StatusCode);
        Assert.Equal("/account/login", loginUrl.AbsolutePath);

        var (wrongPassword, _) = await browser.SubmitFormAsync(loginPage, loginUrl, new Dictionary<string, string>
        {
            ["username"] = "carol",
            ["password"] = fixture.App.GetParameterValue("demo-user-password") + "x",
        });
        var wrongPasswordHtml = await wrongPassword.Content.ReadAsStringAsync();
        var (unknownUser, _) = await browser.SubmitFormAsync(wrongPassword, loginUrl, new Dictionary<string, string>
        {
            ["username"] = "mallory-" + Guid.NewGuid().ToString("N")[..8],
            ["password"] = fixture.App.GetParameterValue("demo-user-password"),
        });
        var unknownUserHtml = await unknownUser.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, wrongPassword.StatusCode);
        Assert.Equal(HttpStatusCode.OK, unknownUser.StatusCode);
        Assert.Contains("Invalid username or password.", wrongPasswordHtml, StringComparison.Ordinal);
        Assert.Contains("Invalid username or password.", unknownUserHtml, StringComparison.Ordinal);
        Assert.Null(browser.Jar.Get(authorizeUrl, "__Host-idp.session"));
        using var again = await browser.GetAsync(authorizeUrl);
        Assert.Equal(HttpStatusCode.Found, again.StatusCode);
        Assert.Equal("/account/login", new Uri(authorizeUrl, again.Headers.Location!).AbsolutePath);
    }

    internal sealed record Authorization(string Code, string Verifier, string Nonce);

    /// <summary>GET /connect/authorize → login page → POST credentials → back to authorize → 302 to the client's redirect URI.</summary>
    private async Task<Authorization> AuthorizeAsync(Browser browser, string username)
    {
        var (authorizeUrl, verifier, state, nonce) = AuthorizeUrl();
        using var toLogin = await browser.GetAsync(authorizeUrl);
        Assert.Equal(HttpStatusCode.Found, toLogin.StatusCode);
        var (loginPage, loginUrl) = await browser.FollowAsync(toLogin, authorizeUrl);
        var (callback, _) = await browser.LogInAsync(
            loginPage, loginUrl, username, fixture.App.GetParameterValue("demo-user-password"), stopAt: u => u.Port == 5099);

        Assert.Equal(HttpStatusCode.Found, callback.StatusCode);
        Assert.NotNull(browser.Jar.Get(authorizeUrl, "__Host-idp.session"));
        var location = callback.Headers.Location!;
        Assert.StartsWith(RedirectUri + "?", location.ToString(), StringComparison.Ordinal);
        var query = OAuth.Query(location);
        Assert.Equal(state, query["state"]);
        Assert.Equal(fixture.IdentityIssuer, query["iss"]);
        Assert.False(query.ContainsKey("error"), $"authorize answered {location}");
        return new Authorization(query["code"], verifier, nonce);
    }

    private (Uri Url, string Verifier, string State, string Nonce) AuthorizeUrl()
    {
        var verifier = OAuth.RandomValue();
        var challenge = OAuth.Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var state = OAuth.RandomValue();
        var nonce = OAuth.RandomValue();
        var query = string.Join("&", new Dictionary<string, string>
        {
            ["response_type"] = "code",
            ["client_id"] = ClientId,
            ["redirect_uri"] = RedirectUri,
            ["scope"] = "openid profile email offline_access orders.read",
            ["state"] = state,
            ["nonce"] = nonce,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
        }.Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value)}"));
        return (new Uri(fixture.App.GetEndpoint("identity"), "/connect/authorize?" + query), verifier, state, nonce);
    }

    private System.Net.Http.Headers.AuthenticationHeaderValue ClientAuthentication() =>
        OAuth.Basic(ClientId, fixture.App.GetParameterValue("demo-web-secret"));

    private Task<HttpResponseMessage> RedeemAsync(HttpClient identity, string code, string verifier) =>
        OAuth.PostFormAsync(identity, "/connect/token", ClientAuthentication(), new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = RedirectUri,
            ["code_verifier"] = verifier,
        });

    private Task<HttpResponseMessage> RefreshAsync(HttpClient identity, string refreshToken) =>
        OAuth.PostFormAsync(identity, "/connect/token", ClientAuthentication(), new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
        });

    private async Task<bool> IntrospectAsync(HttpClient identity, string token)
    {
        using var response = await OAuth.PostFormAsync(
            identity, "/connect/introspect", OAuth.Basic("reference-api", fixture.App.GetParameterValue("gateway-introspection-secret")),
            new Dictionary<string, string> { ["token"] = token });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var active = body.GetProperty("active").GetBoolean();
        if (!active)
        {
            Assert.Equal("""{"active":false}""", body.GetRawText());
        }

        return active;
    }

    private async Task<OpenIdConnectConfiguration> GetDiscoveryAsync(HttpClient identity)
    {
        var manager = new ConfigurationManager<OpenIdConnectConfiguration>(
            fixture.IdentityIssuer + "/.well-known/openid-configuration",
            new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever(identity) { RequireHttps = false });
        return await manager.GetConfigurationAsync(CancellationToken.None);
    }

    internal static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status} {error}, got {(int)response.StatusCode}: {body}");
        Assert.Equal(error, JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
    }
}
