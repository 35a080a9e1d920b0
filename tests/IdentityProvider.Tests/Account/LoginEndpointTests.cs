using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using static Reference.IdentityProvider.Tests.IdentityProviderFactory;

namespace Reference.IdentityProvider.Tests.Account;

public sealed class LoginEndpointTests(IdentityProviderFactory factory) : IClassFixture<IdentityProviderFactory>
{
    private const string GenericFailure = "Invalid username or password.";

    [Fact]
    public async Task LoginPage_Get_RendersFormWithAntiforgeryAndPageHeaders()
    {
        using var browser = Browser.Create(factory);

        using var response = await browser.GetAsync(Browser.LoginPath);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.NotEmpty(Browser.AntiforgeryToken(html));
        Assert.Contains("type=\"password\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.True(response.Headers.CacheControl?.NoStore);
    }

    [Fact]
    public async Task Login_CorrectPassword_StartsSessionWithHardenedCookie()
    {
        using var browser = Browser.Create(factory);

        using var response = await browser.SignInAsync("alice", UserPassword);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("signed in", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        var cookie = browser.SetCookieHeaders.Single(h => h.StartsWith(Browser.SessionCookie + "=", StringComparison.Ordinal));
        Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain=", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(43, browser.Cookies[Browser.SessionCookie].Length);
    }

    [Fact]
    public async Task Login_OverHttps_SessionCookieIsSecure()
    {
        using var browser = new Browser(factory.CreateClient(new WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false,
            HandleCookies = false,
            BaseAddress = new Uri("https://localhost"),
        }));

        using var response = await browser.SignInAsync("alice", UserPassword);

        var cookie = browser.SetCookieHeaders.Single(h => h.StartsWith(Browser.SessionCookie + "=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("ALICE")]
    [InlineData("  alice ")]
    public async Task Login_UsernameCaseAndSpaces_AreNormalised(string username)
    {
        using var browser = Browser.Create(factory);

        using var response = await browser.SignInAsync(username, UserPassword);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(browser.Cookies.ContainsKey(Browser.SessionCookie));
    }

    [Fact]
    public async Task Login_UnknownUserAndWrongPassword_AnswerIdentically()
    {
        using var browser = Browser.Create(factory);

        using var unknown = await browser.SignInAsync("nobody-" + Guid.NewGuid().ToString("N")[..8], UserPassword);
        using var wrong = await browser.SignInAsync("carol", "wrong password");
        var unknownHtml = await unknown.Content.ReadAsStringAsync();
        var wrongHtml = await wrong.Content.ReadAsStringAsync();

        Assert.Equal(unknown.StatusCode, wrong.StatusCode);
        Assert.Contains(GenericFailure, unknownHtml, StringComparison.Ordinal);
        Assert.Contains(GenericFailure, wrongHtml, StringComparison.Ordinal);
        Assert.Equal(Normalise(unknownHtml), Normalise(wrongHtml));
        Assert.False(browser.Cookies.ContainsKey(Browser.SessionCookie));
    }

    [Fact]
    public async Task Login_WithoutAntiforgeryToken_Returns400AndNoSession()
    {
        using var browser = Browser.Create(factory);
        using var page = await browser.GetAsync(Browser.LoginPath);

        using var response = await browser.PostFormAsync(Browser.LoginPath, [new("username", "alice"), new("password", UserPassword)]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(browser.Cookies.ContainsKey(Browser.SessionCookie));
    }

    [Fact]
    public async Task Login_TokenWithoutAntiforgeryCookie_Returns400()
    {
        using var browser = Browser.Create(factory);
        using var page = await browser.GetAsync(Browser.LoginPath);
        var token = Browser.AntiforgeryToken(await page.Content.ReadAsStringAsync());
        browser.Cookies.Clear();

        using var response = await browser.PostFormAsync(Browser.LoginPath, [new("__RequestVerificationToken", token), new("username", "alice"), new("password", UserPassword)]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(browser.Cookies.ContainsKey(Browser.SessionCookie));
    }

    [Theory]
    [InlineData("//evil.example/")]
    [InlineData("https://evil.example/")]
    [InlineData("/\\evil.example/")]
    [InlineData("\\\\evil.example")]
    [InlineData("javascript:alert(1)")]
    [InlineData("/ok\\..\\evil")]
    [InlineData("/\r\nLocation: https://evil.example")]
    public async Task Login_NonLocalReturnUrl_IsNeverFollowed(string returnUrl)
    {
        using var browser = Browser.Create(factory);
        using var page = await browser.GetAsync(Browser.LoginPath + "?returnUrl=" + Uri.EscapeDataString(returnUrl));
        var html = await page.Content.ReadAsStringAsync();

        using var response = await browser.PostFormAsync(Browser.LoginPath,
        [
            new("__RequestVerificationToken", Browser.AntiforgeryToken(html)),
            new("username", "alice"),
            new("password", UserPassword),
            new("returnUrl", returnUrl),
        ]);

        Assert.NotEqual(HttpStatusCode.Found, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Null(Browser.HiddenValue(html, "returnUrl"));
        Assert.True(browser.Cookies.ContainsKey(Browser.SessionCookie));
    }

    [Fact]
    public async Task Login_LocalReturnUrl_Redirects()
    {
        using var browser = Browser.Create(factory);

        using var response = await browser.SignInAsync("alice", UserPassword, "/connect/authorize?client_id=demo-web");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("/connect/authorize?client_id=demo-web", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Login_EachLogin_IssuesNewSessionIdAndIgnoresPlantedOne()
    {
        using var browser = Browser.Create(factory);
        const string Planted = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        browser.Cookies[Browser.SessionCookie] = Planted;

        using var first = await browser.SignInAsync("alice", UserPassword);
        var firstId = browser.Cookies[Browser.SessionCookie];
        using var second = await browser.SignInAsync("alice", UserPassword);
        var secondId = browser.Cookies[Browser.SessionCookie];
        browser.Cookies[Browser.SessionCookie] = firstId;
        using var withOldSession = await browser.GetAsync(Browser.AuthorizeUrl(overrides: ("prompt", "none")));

        Assert.NotEqual(Planted, firstId);
        Assert.NotEqual(firstId, secondId);
        Assert.Equal("login_required", Browser.Query(withOldSession.Headers.Location!)["error"]);
    }

    [Fact]
    public async Task Login_TenFailures_LocksOutEvenTheCorrectPasswordUntilTheLockExpires()
    {
        using var browser = Browser.Create(factory);
        for (var i = 0; i < 10; i++)
        {
            using var failure = await browser.SignInAsync("bob", "wrong-" + i);
            Assert.Contains(GenericFailure, await failure.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var locked = await browser.SignInAsync("BOB", UserPassword);
        var lockedHtml = await locked.Content.ReadAsStringAsync();
        factory.Time.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));
        using var unlocked = await browser.SignInAsync("bob", UserPassword);

        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.Equal(TimeSpan.FromMinutes(15), locked.Headers.RetryAfter?.Delta);
        Assert.Contains(Reference.IdentityProvider.RateLimiting.LoginRateLimitedResult.Message, lockedHtml, StringComparison.Ordinal);
        Assert.False(browser.Cookies.ContainsKey(Browser.SessionCookie) && lockedHtml.Contains("signed in", StringComparison.Ordinal));
        Assert.Contains("signed in", await unlocked.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains(factory.Logs.Lines, l => l.Contains("[4002]", StringComparison.Ordinal) && l.Contains("locked out", StringComparison.Ordinal));
        Assert.Contains(factory.Logs.Lines, l => l.Contains("[4001]", StringComparison.Ordinal) && l.Contains("locked_out", StringComparison.Ordinal));
        Assert.DoesNotContain(factory.Logs.Lines, l => l.Contains(UserPassword, StringComparison.Ordinal) || l.Contains("wrong-0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Login_FailuresSpreadBeyondTheWindow_DoNotLockOut()
    {
        using var browser = Browser.Create(factory);
        for (var i = 0; i < 8; i++)
        {
            using var failure = await browser.SignInAsync("carol", "wrong");
            factory.Time.Advance(TimeSpan.FromMinutes(4));
        }

        using var response = await browser.SignInAsync("carol", UserPassword);

        Assert.Contains("signed in", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Login_UnknownUsername_IsLockedOutLikeAKnownOne()
    {
        using var browser = Browser.Create(factory);
        var username = "ghost-" + Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 10; i++)
        {
            using var failure = await browser.SignInAsync(username, "x");
        }

        Assert.Contains(factory.Logs.Lines, l => l.Contains("[4002]", StringComparison.Ordinal));
        Assert.DoesNotContain(factory.Logs.Lines, l => l.Contains(username, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Login_DisabledUserWithCorrectPassword_GetsTheGenericFailure()
    {
        var settings = DefaultSettings();
        settings["IdentityProvider:Users:dave:SubjectId"] = "dave-1";
        settings["IdentityProvider:Users:dave:TenantId"] = "tenant-a";
        settings["IdentityProvider:Users:dave:Disabled"] = "true";
        settings["IdentityProvider:Users:dave:PasswordHash"] = Reference.IdentityProvider.Account.PasswordHasher.Hash(UserPassword, TestPasswordIterations);
        using var disabledFactory = Create(settings);
        using var browser = Browser.Create(disabledFactory);

        using var response = await browser.SignInAsync("dave", UserPassword);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(GenericFailure, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(browser.Cookies.ContainsKey(Browser.SessionCookie));
    }

    [Fact]
    public async Task Login_RedisUnavailable_Returns503PageAndNoSession()
    {
        var settings = DefaultSettings();
        settings["ConnectionStrings:cache"] = "127.0.0.1:1";
        using var down = Create(settings);
        using var browser = Browser.Create(down);

        using var response = await browser.SignInAsync("alice", UserPassword);
        using var authorize = await browser.GetAsync(Browser.AuthorizeUrl());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("temporarily unavailable", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(browser.Cookies.ContainsKey(Browser.SessionCookie));
        Assert.Equal(HttpStatusCode.Found, authorize.StatusCode);
    }

    [Fact]
    public async Task Authorize_RedisUnavailableWithSessionCookie_RedirectsTemporarilyUnavailable()
    {
        var settings = DefaultSettings();
        settings["ConnectionStrings:cache"] = "127.0.0.1:1";
        using var down = Create(settings);
        using var browser = Browser.Create(down);
        browser.Cookies[Browser.SessionCookie] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

        using var response = await browser.GetAsync(Browser.AuthorizeUrl());

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("temporarily_unavailable", Browser.Query(response.Headers.Location!)["error"]);
    }

    /// <summary>The page minus what legitimately differs: the antiforgery token and the echoed username.</summary>
    private static string Normalise(string html) =>
        System.Text.RegularExpressions.Regex.Replace(html, "value=\"[^\"]*\"", "value=\"\"");
}
