using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Reference.IdentityProvider.Stores.AuthorizationCodes;
using static Reference.IdentityProvider.Tests.IdentityProviderFactory;

namespace Reference.IdentityProvider.Tests.Endpoints;

public sealed class AuthorizeEndpointTests(IdentityProviderFactory factory) : IClassFixture<IdentityProviderFactory>
{
    private const string Callback = DemoWebRedirectUri;

    /// <summary>Near misses of the registered <c>http://localhost:5099/callback</c>: none may be redirected to.</summary>
    public static TheoryData<string> RedirectUriTricks => new()
    {
        "http://localhost:5099/callback/",
        "http://LOCALHOST:5099/callback",
        "http://localhost:5099/Callback",
        "http://localhost:5099/callback/extra",
        "http://localhost:5099/callback?x=1",
        "http://localhost:5099/callback#frag",
        "http://localhost:5099/callback%20",
        "http://evil@localhost:5099/callback",
        "http://localhost:5099@evil.example/callback",
        "http://localhost:5099.evil.example/callback",
        "https://localhost:5099/callback",
        "http://localhost:5098/callback",
        "https://evil.example/callback",
        "/callback",
    };

    [Theory]
    [MemberData(nameof(RedirectUriTricks))]
    public async Task Authorize_RedirectUriNotExactlyRegistered_ShowsErrorPageWithoutRedirect(string redirectUri)
    {
        using var browser = Browser.Create(factory);
        await SignInAsync(browser);

        using var response = await browser.GetAsync(Browser.AuthorizeUrl(redirectUri: redirectUri));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains("redirect_uri is not registered", html, StringComparison.Ordinal);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("client_id", null, "no valid client_id")]
    [InlineData("client_id", "unknown-client", "not registered")]
    [InlineData("redirect_uri", null, "no redirect_uri")]
    public async Task Authorize_UnknownClientOrMissingRedirectUri_ShowsErrorPage(string name, string? value, string expected)
    {
        using var browser = Browser.Create(factory);

        using var response = await browser.GetAsync(Browser.AuthorizeUrl(overrides: (name, value)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_RepeatedParameter_ShowsErrorPage()
    {
        using var browser = Browser.Create(factory);

        using var response = await browser.GetAsync(Browser.AuthorizeUrl() + "&redirect_uri=" + Uri.EscapeDataString("https://evil.example/cb"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Authorize_RedirectUriOfAnotherClient_ShowsErrorPage()
    {
        using var browser = Browser.Create(factory);

        using var response = await browser.GetAsync(Browser.AuthorizeUrl(clientId: "demo-web", redirectUri: RpRedirectUri));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    public static TheoryData<string, string?, string> ProtocolErrors => new()
    {
        { "code_challenge", null, "invalid_request" },
        { "code_challenge_method", null, "invalid_request" },
        { "code_challenge_method", "plain", "invalid_request" },
        { "code_challenge_method", "s256", "invalid_request" },
        { "code_challenge", "too-short", "invalid_request" },
        { "code_challenge", new string('a', 129), "invalid_request" },
        { "code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c+", "invalid_request" },
        { "code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c=", "invalid_request" },
        { "response_type", null, "invalid_request" },
        { "response_type", "token", "unsupported_response_type" },
        { "response_type", "id_token", "unsupported_response_type" },
        { "response_type", "code id_token", "unsupported_response_type" },
        { "response_mode", "fragment", "invalid_request" },
        { "response_mode", "form_post", "invalid_request" },
        { "scope", null, "invalid_request" },
        { "scope", "openid inventory.read", "invalid_scope" },
        { "scope", "openid  profile", "invalid_scope" },
        { "scope", "openid unknown", "invalid_scope" },
        { "prompt", "consent", "invalid_request" },
        { "prompt", "select_account", "invalid_request" },
        { "prompt", "none login", "invalid_request" },
        { "max_age", "-1", "invalid_request" },
        { "max_age", "ten", "invalid_request" },
        { "request", "eyJhbGciOiJub25lIn0.e30.", "request_not_supported" },
        { "request_uri", "https://evil.example/request.jwt", "request_uri_not_supported" },
    };

    [Theory]
    [MemberData(nameof(ProtocolErrors))]
    public async Task Authorize_InvalidParameter_RedirectsErrorWithStateAndIss(string name, string? value, string expectedError)
    {
        using var browser = Browser.Create(factory);
        await SignInAsync(browser);

        using var response = await browser.GetAsync(Browser.AuthorizeUrl(overrides: (name, value)));

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith(Callback + "?", location.OriginalString, StringComparison.Ordinal);
        var query = Browser.Query(location);
        Assert.Equal(expectedError, query["error"]);
        Assert.Equal("st-123", query["state"]);
        Assert.Equal(Issuer, query["iss"]);
        Assert.False(query.ContainsKey("code"));
    }

    [Fact]
    public async Task Authorize_OfflineAccessForClientWithoutIt_RedirectsInvalidScope()
    {
        using var browser = Browser.Create(factory);
        await SignInAsync(browser, "bob");

        var location = await browser.AuthorizeAsync(Browser.AuthorizeUrl(RpClientId, RpRedirectUri, ("scope", "openid offline_access")), "bob");

        Assert.Equal("invalid_scope", Browser.Query(location)["error"]);
    }

    [Fact]
    public async Task Authorize_NoSession_RedirectsToLoginWithLocalReturnUrl()
    {
        using var browser = Browser.Create(factory);

        using var response = await browser.GetAsync(Browser.AuthorizeUrl());

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        var location = response.Headers.Location!.OriginalString;
        Assert.StartsWith("/account/login?returnUrl=%2Fconnect%2Fauthorize%3F", location, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_AfterLogin_IssuesCodeBoundToTheRequest()
    {
        using var browser = Browser.Create(factory);

        var location = await browser.AuthorizeAsync(Browser.AuthorizeUrl(overrides: ("scope", "openid email orders.read")));
        var query = Browser.Query(location);

        Assert.StartsWith(Callback + "?code=", location.OriginalString, StringComparison.Ordinal);
        Assert.Equal("st-123", query["state"]);
        Assert.Equal(Issuer, query["iss"]);
        var redemption = await factory.Services.GetRequiredService<IAuthorizationCodeStore>().RedeemAsync(query["code"], CancellationToken.None);
        Assert.Equal(AuthorizationCodeRedemptionStatus.Redeemed, redemption.Status);
        var code = redemption.Code!;
        Assert.Equal("demo-web", code.ClientId);
        Assert.Equal(Callback, code.RedirectUri);
        Assert.Equal(Browser.Challenge(), code.CodeChallenge);
        Assert.Equal(["openid", "email", "orders.read"], code.Scopes);
        Assert.Equal("0b6c1a9e-alice", code.SubjectId);
        Assert.Equal("n-456", code.Nonce);
        Assert.Equal(browser.Cookies[Browser.SessionCookie], code.SessionId);
        Assert.True(code.ExpiresAt - code.CreatedAt <= TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Authorize_Post_IssuesCode()
    {
        using var browser = Browser.Create(factory);
        await SignInAsync(browser);
        var query = Browser.Query(new Uri("http://x" + Browser.AuthorizeUrl()));

        using var response = await browser.PostFormAsync(Browser.AuthorizePath, query);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.True(Browser.Query(response.Headers.Location!).ContainsKey("code"));
    }

    [Fact]
    public async Task Authorize_WithoutOpenId_IssuesCodeWithoutNonce()
    {
        using var browser = Browser.Create(factory);

        var location = await browser.AuthorizeAsync(Browser.AuthorizeUrl(overrides: ("scope", "orders.read")));
        var redemption = await factory.Services.GetRequiredService<IAuthorizationCodeStore>().RedeemAsync(Browser.Query(location)["code"], CancellationToken.None);

        Assert.Equal(["orders.read"], redemption.Code!.Scopes);
        Assert.Null(redemption.Code.Nonce);
    }

    [Fact]
    public async Task Authorize_PromptNoneWithoutSession_RedirectsLoginRequired()
    {
        using var browser = Browser.Create(factory);

        using var response = await browser.GetAsync(Browser.AuthorizeUrl(overrides: ("prompt", "none")));
        var query = Browser.Query(response.Headers.Location!);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("login_required", query["error"]);
        Assert.Equal("st-123", query["state"]);
        Assert.Equal(Issuer, query["iss"]);
    }

    [Fact]
    public async Task Authorize_PromptNoneWithSession_IssuesCodeWithoutLogin()
    {
        using var browser = Browser.Create(factory);
        await SignInAsync(browser);

        using var response = await browser.GetAsync(Browser.AuthorizeUrl(overrides: ("prompt", "none")));

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.True(Browser.Query(response.Headers.Location!).ContainsKey("code"));
    }

    [Fact]
    public async Task Authorize_PromptLoginWithSession_ForcesLoginThenIssuesCodeFromNewSession()
    {
        using var browser = Browser.Create(factory);
        await SignInAsync(browser);
        var firstSession = browser.Cookies[Browser.SessionCookie];

        using var response = await browser.GetAsync(Browser.AuthorizeUrl(overrides: ("prompt", "login")));
        Assert.StartsWith("/account/login?", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        var location = await browser.AuthorizeAsync(Browser.AuthorizeUrl(overrides: ("prompt", "login")));

        Assert.True(Browser.Query(location).ContainsKey("code"));
        Assert.NotEqual(firstSession, browser.Cookies[Browser.SessionCookie]);
    }

    [Fact]
    public async Task Authorize_MaxAgeExceeded_ForcesLogin()
    {
        using var browser = Browser.Create(factory);
        await SignInAsync(browser);
        factory.Time.Advance(TimeSpan.FromMinutes(10));

        using var tooOld = await browser.GetAsync(Browser.AuthorizeUrl(overrides: ("max_age", "300")));
        using var fresh = await browser.GetAsync(Browser.AuthorizeUrl(overrides: ("max_age", "3600")));
        using var tooOldSilent = await browser.GetAsync(Browser.AuthorizeUrl(overrides: [("max_age", "300"), ("prompt", "none")]));

        Assert.StartsWith("/account/login?", tooOld.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.True(Browser.Query(fresh.Headers.Location!).ContainsKey("code"));
        Assert.Equal("login_required", Browser.Query(tooOldSilent.Headers.Location!)["error"]);
    }

    [Fact]
    public async Task Authorize_UserOfTenantNotAllowedForClient_RedirectsAccessDenied()
    {
        using var browser = Browser.Create(factory);

        var location = await browser.AuthorizeAsync(Browser.AuthorizeUrl(RpClientId, RpRedirectUri), "alice");
        var query = Browser.Query(location);

        Assert.Equal("access_denied", query["error"]);
        Assert.False(query.ContainsKey("code"));
    }

    [Fact]
    public async Task Authorize_PublicClient_IssuesCodeWithPkce()
    {
        using var browser = Browser.Create(factory);

        var location = await browser.AuthorizeAsync(Browser.AuthorizeUrl("demo-spa", "http://localhost:5098/callback"));

        Assert.True(Browser.Query(location).ContainsKey("code"));
    }

    [Fact]
    public async Task Authorize_ClientWithoutAuthorizationCodeGrant_RedirectsUnauthorizedClient()
    {
        using var browser = Browser.Create(factory);

        using var response = await browser.GetAsync(Browser.AuthorizeUrl(TestClientId, Callback));

        // test-client registered no redirect URI at all, so even this is an error page, not a redirect.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Authorize_ErrorPage_CarriesPageSecurityHeaders()
    {
        using var browser = Browser.Create(factory);

        using var response = await browser.GetAsync(Browser.AuthorizeUrl(redirectUri: "https://evil.example/"));

        Assert.Equal("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.True(response.Headers.CacheControl?.NoStore);
    }

    private static async Task SignInAsync(Browser browser, string username = "alice")
    {
        using var response = await browser.SignInAsync(username, UserPassword);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(browser.Cookies.ContainsKey(Browser.SessionCookie));
    }
}
