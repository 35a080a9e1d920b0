using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Reference.EndToEnd.Tests;

/// <summary>
/// The gateway as a backend-for-frontend against the real IdentityProvider: a browser logs in through /bff/login,
/// calls an API with only its session cookie, and logs out (RP-initiated, and IdP-initiated via back-channel logout).
/// </summary>
[Collection(ReferenceAppTestGroup.Name)]
public sealed class BffSessionEndToEndTests(ReferenceAppFixture fixture)
{
    private const string SessionCookie = "bff.session";
    private const string IdpSessionCookie = "__Host-idp.session";

    private Uri Gateway => fixture.App.GetEndpoint("gateway");

    private Uri Identity => fixture.App.GetEndpoint("identity");

    [Fact]
    public async Task Bff_LoginApiCallAndLogout_SessionWorksThenIdpAndGatewaySessionsEnd()
    {
        using var browser = new Browser();
        var user = await LogInAsync(browser);
        Assert.Equal("0b6c1a9e-alice", user.GetProperty("sub").GetString());
        Assert.Equal("alice@tenant-a.example", user.GetProperty("email").GetString());
        Assert.Equal("tenant-a", user.GetProperty("tenant_id").GetString());
        Assert.False(user.TryGetProperty("access_token", out _), "/bff/user exposed an access token");
        Assert.False(user.TryGetProperty("id_token", out _), "/bff/user exposed an ID token");
        Assert.False(user.TryGetProperty("refresh_token", out _), "/bff/user exposed a refresh token");
        Assert.DoesNotContain("eyJ", user.GetRawText(), StringComparison.Ordinal);
        var cookie = browser.Jar.Get(Gateway, SessionCookie)!;

        using var whoami = await browser.GetAsync(new Uri(Gateway, "/bff-api/orders/whoami"));
        Assert.Equal(HttpStatusCode.OK, whoami.StatusCode);
        var seen = await whoami.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("0b6c1a9e-alice", seen.GetProperty("subject").GetString());
        Assert.Equal("gateway-bff", seen.GetProperty("clientId").GetString());
        Assert.Equal("tenant-a", seen.GetProperty("tenantId").GetString());
        Assert.Equal("internal+jwt", seen.GetProperty("tokenType").GetString());
        Assert.Equal("urn:reference:gateway", seen.GetProperty("issuer").GetString());

        var ordersBefore = await ListOrdersAsync(browser);
        using var withoutCsrf = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, new Uri(Gateway, "/bff-api/orders"))
        {
            Content = JsonContent.Create(new { sku = "SKU-1", quantity = 1 }),
        });
        await AuthorizationCodeFlowEndToEndTests.AssertErrorAsync(withoutCsrf, HttpStatusCode.Forbidden, "csrf_required");
        Assert.Equal(ordersBefore, await ListOrdersAsync(browser));
        using var logoutWithoutCsrf = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, new Uri(Gateway, "/bff/logout")));
        await AuthorizationCodeFlowEndToEndTests.AssertErrorAsync(logoutWithoutCsrf, HttpStatusCode.Forbidden, "csrf_required");

        using var logout = new HttpRequestMessage(HttpMethod.Post, new Uri(Gateway, "/bff/logout"));
        logout.Headers.Add("X-CSRF", "1");
        using var toEndSession = await browser.SendAsync(logout);
        Assert.Equal(HttpStatusCode.Found, toEndSession.StatusCode);
        var endSession = toEndSession.Headers.Location!;
        Assert.Equal(Identity.Authority, endSession.Authority);
        Assert.Equal("/connect/endsession", endSession.AbsolutePath);
        Assert.True(OAuth.Query(endSession).ContainsKey("id_token_hint"), $"no id_token_hint in {endSession}");
        Assert.Null(browser.Jar.Get(Gateway, SessionCookie));

        var (signedOut, signedOutUrl) = await browser.FollowAsync(endSession, stopAt: u => u.Authority == Gateway.Authority);
        Assert.Equal(HttpStatusCode.Found, signedOut.StatusCode);
        Assert.Equal(Identity.Authority, signedOutUrl.Authority);
        Assert.Equal(Gateway.Authority, new Uri(signedOutUrl, signedOut.Headers.Location!).Authority);
        Assert.Null(browser.Jar.Get(Identity, IdpSessionCookie));

        await AssertSessionGoneAsync(cookie);
        using var bffLoginAgain = await browser.GetAsync(new Uri(Gateway, "/bff/login?returnUrl=/bff/user"));
        var (loginPage, loginUrl) = await browser.FollowAsync(bffLoginAgain, new Uri(Gateway, "/bff/login?returnUrl=/bff/user"));
        Assert.Equal(HttpStatusCode.OK, loginPage.StatusCode);
        Assert.Equal("/account/login", loginUrl.AbsolutePath);
    }

    [Fact]
    public async Task Bff_IdpSessionEndedAtTheIdp_BackChannelLogoutEndsGatewaySession()
    {
        using var browser = new Browser();
        var sid = (await LogInAsync(browser)).GetProperty("sid").GetString();
        var cookie = browser.Jar.Get(Gateway, SessionCookie)!;
        using var before = await browser.GetAsync(new Uri(Gateway, "/bff-api/orders/whoami"));
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        // The user signs out at the IdP itself (no id_token_hint: a browser has none): a confirmation page, then the
        // IdP ends its session and sends a back-channel logout token to every client of that session, the gateway included.
        var (confirmation, confirmationUrl) = await browser.FollowAsync(new Uri(Identity, "/connect/endsession"));
        Assert.Equal(HttpStatusCode.OK, confirmation.StatusCode);
        var (signedOut, _) = await browser.SubmitFormAsync(confirmation, confirmationUrl, new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.OK, signedOut.StatusCode);
        Assert.Contains("You are signed out.", await signedOut.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(browser.Jar.Get(Identity, IdpSessionCookie));

        var backChannel = Assert.Single(await fixture.WaitForLogAsync("gateway", $"Back-channel logout (sid {sid},"));

        // The IdP publishes the sid revocation before it notifies the clients, so the gateway's revocation consumer may
        // have deleted the session already; one of the two paths deleted it.
        if (!backChannel.Contains("1 session(s) deleted", StringComparison.Ordinal))
        {
            Assert.NotEmpty(await fixture.WaitForLogAsync("gateway", "Deleted 1 sessions after a Session revocation."));
        }
        await AssertSessionGoneAsync(cookie);
        Assert.Equal(cookie, browser.Jar.Get(Gateway, SessionCookie));
        using var apiAfter = await browser.GetAsync(new Uri(Gateway, "/bff-api/orders/whoami"));
        Assert.Equal(HttpStatusCode.Unauthorized, apiAfter.StatusCode);
    }

    [Fact]
    public async Task Bff_ApiCallsWithAccessTokenNearExpiry_GatewayRefreshesAtIdpAndSessionKeepsWorking()
    {
        // The test system gives gateway-bff 65 s access tokens and the gateway refreshes 70 s before expiry, so every
        // API call on the session refreshes with the (rotating) refresh token. A rotation the gateway got wrong would
        // replay a used refresh token: the IdP would revoke the family and the next call would get 401.
        Assert.True(ReferenceAppFixture.BffAccessTokenLifetime < ReferenceAppFixture.BffRefreshBeforeExpiry);
        using var browser = new Browser();
        await LogInAsync(browser);
        var sessionHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(browser.Jar.Get(Gateway, SessionCookie)!)))[..12];

        for (var call = 0; call < 3; call++)
        {
            using var response = await browser.GetAsync(new Uri(Gateway, "/bff-api/orders/whoami"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("0b6c1a9e-alice", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("subject").GetString());
        }

        var refreshed = await fixture.WaitForLogAsync("gateway", $"Session {sessionHash}: access token refreshed.", count: 3);
        Assert.Equal(3, refreshed.Count);
        Assert.DoesNotContain(fixture.App.GetLogTail("gateway", 500), l => l.Contains($"Session {sessionHash}: refresh failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bff_LoginWithForeignReturnUrl_Returns400()
    {
        using var browser = new Browser();

        using var response = await browser.GetAsync(new Uri(Gateway, "/bff/login?returnUrl=//evil.example/"));

        await AuthorizationCodeFlowEndToEndTests.AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Null(response.Headers.Location);
    }

    /// <summary>/bff/login → the IdP's authorize → login page → POST alice → authorize → /bff/callback → /bff/user.</summary>
    private async Task<JsonElement> LogInAsync(Browser browser)
    {
        var start = new Uri(Gateway, "/bff/login?returnUrl=/bff/user");
        using var toIdp = await browser.GetAsync(start);
        Assert.Equal(HttpStatusCode.Found, toIdp.StatusCode);
        var authorize = toIdp.Headers.Location!;
        Assert.Equal(Identity.Authority, authorize.Authority);
        Assert.Equal("/connect/authorize", authorize.AbsolutePath);
        Assert.Equal("S256", OAuth.Query(authorize)["code_challenge_method"]);

        var (loginPage, loginUrl) = await browser.FollowAsync(toIdp, start);
        var (userResponse, userUrl) = await browser.LogInAsync(loginPage, loginUrl, "alice", fixture.App.GetParameterValue("demo-user-password"));

        Assert.Equal(HttpStatusCode.OK, userResponse.StatusCode);
        Assert.Equal(new Uri(Gateway, "/bff/user"), userUrl);
        Assert.NotNull(browser.Jar.Get(Gateway, SessionCookie));
        return await userResponse.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Tenant-a's orders as Orders.Api lists them through the session (to show a refused POST created nothing).</summary>
    private async Task<string> ListOrdersAsync(Browser browser)
    {
        using var response = await browser.GetAsync(new Uri(Gateway, "/bff-api/orders"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The session cookie the browser had is now refused: 401 invalid_token at /bff/user and on the API route.</summary>
    private async Task AssertSessionGoneAsync(string cookie)
    {
        using var replay = new Browser();
        replay.Jar.Set(Gateway, SessionCookie, cookie);

        using var user = await replay.GetAsync(new Uri(Gateway, "/bff/user"));
        Assert.Equal(HttpStatusCode.Unauthorized, user.StatusCode);
        replay.Jar.Set(Gateway, SessionCookie, cookie);
        using var api = await replay.GetAsync(new Uri(Gateway, "/bff-api/orders/whoami"));
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        var challenge = Assert.Single(api.Headers.WwwAuthenticate);
        Assert.Contains("invalid_token", challenge.ToString(), StringComparison.Ordinal);
    }
}
