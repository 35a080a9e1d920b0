using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Reference.Security.Tests.Infrastructure;

namespace Reference.Security.Tests.Sessions;

/// <summary>
/// Cookie sessions at the gateway (BFF) against the running system: forged and tampered cookies, session fixation,
/// CSRF on state-changing requests, open redirects through <c>returnUrl</c>. Session routes under <c>/sec/session</c>
/// forward to the recording stub, so every refusal is also checked downstream.
/// </summary>
[Collection(SecuritySystemGroup.Name)]
public sealed class SessionAttackTests(SecuritySystemFixture fixture)
{
    private const string SessionCookie = "bff.session";

    public static TheoryData<string, string> ForgedCookies => new()
    {
        { "random-well-formed", OAuth.RandomValue() },
        { "too-short", "abc" },
        { "too-long", new string('A', 44) },
        { "oversize", new string('A', 3000) },
        { "non-base64url", new string('*', 43) },
        { "path-traversal", "..%2F..%2F..%2Fgateway%3Asession%3Aadmin000000" },
        { "redis-key-injection", "x\r\nDEL gateway:sessions:*" },
        { "glob", new string('*', 42) + "?" },
    };

    [Theory]
    [MemberData(nameof(ForgedCookies))]
    public async Task SessionRoute_ForgedCookie_Returns401InvalidTokenClearsCookieAndStubSeesNothing(string caseId, string value)
    {
        var marker = SecuritySystemFixture.Marker("forged-cookie-" + caseId);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/sec/session/{marker}");
        request.Headers.TryAddWithoutValidation("Cookie", $"{SessionCookie}={Uri.EscapeDataString(value)}");

        using var response = await fixture.SendToGatewayAsync(request);

        await SecuritySystemFixture.AssertGatewayErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_token");
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(SessionCookie + "=;", StringComparison.Ordinal));
        Assert.Empty(fixture.Stub.RequestsFor(marker));
    }

    [Fact]
    public async Task SessionRoute_NoCookie_Returns401BareChallengeAndStubSeesNothing()
    {
        var marker = SecuritySystemFixture.Marker("no-cookie");

        using var response = await fixture.SendToGatewayAsync(new HttpRequestMessage(HttpMethod.Get, $"/sec/session/{marker}"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(Assert.Single(response.Headers.WwwAuthenticate).Parameter);
        Assert.Empty(fixture.Stub.RequestsFor(marker));
    }

    [Fact]
    public async Task Session_FixationTamperingAndCsrf_AllRefusedAndStubSeesNothing()
    {
        using var browser = new Browser();
        var planted = OAuth.RandomValue();
        browser.Jar.Set(fixture.Gateway, SessionCookie, planted);

        var loginResponse = await LogInAsync(browser);
        using (loginResponse)
        {
            Assert.Equal(HttpStatusCode.OK, loginResponse.StatusCode);
        }

        // Fixation: the id changes at login; the planted id is no session.
        var cookie = browser.Jar.Get(fixture.Gateway, SessionCookie)!;
        Assert.NotEqual(planted, cookie);
        Assert.Equal(43, cookie.Length);
        await AssertRefusedAsync(planted, "planted");

        // Tampering: one character changed, truncated, or extended.
        var flipped = (cookie[20] == 'A' ? 'B' : 'A').ToString();
        await AssertRefusedAsync(cookie[..20] + flipped + cookie[21..], "flipped");
        await AssertRefusedAsync(cookie[..42], "truncated");
        await AssertRefusedAsync(cookie + "A", "extended");
        await AssertRefusedAsync(new string([.. cookie.Select(c => char.IsAsciiLetterUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c))]), "case-swapped");

        // CSRF: a state-changing request on the session without X-CSRF, with a wrong value, or cross-site.
        foreach (var (name, csrf, site) in new[] { ("no-header", (string?)null, (string?)null), ("wrong-value", "true", null), ("cross-site", "1", "cross-site"), ("two-values", "1,1", null) })
        {
            var marker = SecuritySystemFixture.Marker("csrf-" + name);
            using var post = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.Gateway, $"/sec/session/{marker}")) { Content = JsonContent.Create(new { sku = "SKU-1" }) };
            if (csrf is not null)
            {
                post.Headers.TryAddWithoutValidation("X-CSRF", csrf);
            }

            if (site is not null)
            {
                post.Headers.TryAddWithoutValidation("Sec-Fetch-Site", site);
            }

            using var refused = await browser.SendAsync(post);
            await SecuritySystemFixture.AssertGatewayErrorAsync(refused, HttpStatusCode.Forbidden, "csrf_required");
            Assert.Empty(fixture.Stub.RequestsFor(marker));
        }

        // The control: the real cookie works, and with X-CSRF a POST goes through.
        var ok = SecuritySystemFixture.Marker("session-control");
        using var control = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.Gateway, $"/sec/session/{ok}")) { Content = JsonContent.Create(new { sku = "SKU-1" }) };
        control.Headers.Add("X-CSRF", "1");
        using var accepted = await browser.SendAsync(control);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var seen = Assert.Single(fixture.Stub.RequestsFor(ok));
        Assert.DoesNotContain(seen.Header("cookie"), c => c.Contains(cookie, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("//attacker.example/")]
    [InlineData("/\\attacker.example/")]
    [InlineData("https://attacker.example/")]
    [InlineData("http:attacker.example")]
    [InlineData("/\t/attacker.example")]
    [InlineData("/\r\n/attacker.example")]
    [InlineData("/\u0000/attacker.example")]
    public async Task BffLogin_ForeignReturnUrl_Returns400InvalidRequestAndNoRedirect(string returnUrl)
    {
        using var browser = new Browser();

        using var response = await browser.GetAsync(new Uri(fixture.Gateway, "/bff/login?returnUrl=" + Uri.EscapeDataString(returnUrl)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.Equal("invalid_request", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task BffCallback_ForgedState_Returns400AndNoSession()
    {
        using var browser = new Browser();

        using var response = await browser.GetAsync(new Uri(fixture.Gateway, $"/bff/callback?code={OAuth.RandomValue()}&state={OAuth.RandomValue()}&iss={Uri.EscapeDataString(fixture.IdentityIssuer)}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(browser.Jar.Get(fixture.Gateway, SessionCookie));
    }

    private async Task AssertRefusedAsync(string cookie, string caseId)
    {
        var marker = SecuritySystemFixture.Marker("session-" + caseId);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/sec/session/{marker}");
        request.Headers.TryAddWithoutValidation("Cookie", $"{SessionCookie}={cookie}");
        using var response = await fixture.SendToGatewayAsync(request);
        await SecuritySystemFixture.AssertGatewayErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_token");
        Assert.Empty(fixture.Stub.RequestsFor(marker));
    }

    /// <summary>/bff/login → IdP login (alice) → /bff/callback → /bff/user; returns the /bff/user response.</summary>
    private async Task<HttpResponseMessage> LogInAsync(Browser browser)
    {
        var start = new Uri(fixture.Gateway, "/bff/login?returnUrl=/bff/user");
        using var toIdp = await browser.GetAsync(start);
        Assert.Equal(HttpStatusCode.Found, toIdp.StatusCode);
        var (loginPage, loginUrl) = await browser.FollowAsync(toIdp, start);
        var (user, _) = await browser.LogInAsync(loginPage, loginUrl, "alice", fixture.App.GetParameterValue("demo-user-password"));
        return user;
    }
}
