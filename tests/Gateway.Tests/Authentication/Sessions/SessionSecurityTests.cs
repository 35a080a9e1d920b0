using System.Net;
using Reference.Gateway.Authentication.Sessions;
using Reference.TestUtilities.Redis;

namespace Reference.Gateway.Tests.Authentication.Sessions;

public sealed class SessionSecurityTests
{
    public static TheoryData<string, string?, string?, HttpStatusCode> CsrfCases => new()
    {
        { "POST", null, null, HttpStatusCode.Forbidden },
        { "POST", "0", null, HttpStatusCode.Forbidden },
        { "DELETE", null, "same-origin", HttpStatusCode.Forbidden },
        { "POST", "1", "cross-site", HttpStatusCode.Forbidden },
        { "PUT", "1", "cross-site", HttpStatusCode.Forbidden },
        { "POST", "1", null, HttpStatusCode.OK },
        { "POST", "1", "same-origin", HttpStatusCode.OK },
        { "PATCH", "1", "same-site", HttpStatusCode.OK },
        { "POST", "1", "none", HttpStatusCode.OK },
        { "GET", null, "cross-site", HttpStatusCode.OK },
    };

    [Theory]
    [MemberData(nameof(CsrfCases))]
    public async Task Session_StateChangingRequest_NeedsTheAntiCsrfSignal(string method, string? csrf, string? fetchSite, HttpStatusCode expected)
    {
        await using var env = await SessionEnvironment.StartAsync();
        var sessionId = await env.LoginAsync();

        using var response = await env.SendAsync(new HttpMethod(method), "/test/session/orders/1", sessionId, request =>
        {
            if (csrf is not null)
            {
                request.Headers.Add("X-CSRF", csrf);
            }

            if (fetchSite is not null)
            {
                request.Headers.Add("Sec-Fetch-Site", fetchSite);
            }
        });

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Forbidden)
        {
            Assert.Equal("csrf_required", await SessionEnvironment.ErrorCodeAsync(response));
            Assert.Empty(env.Forwarded);
        }
        else
        {
            Assert.Single(env.Forwarded);
        }
    }

    [Fact]
    public async Task Login_WithAnAttackerChosenCookie_IssuesAFreshSessionId()
    {
        await using var env = await SessionEnvironment.StartAsync();
        var planted = SessionCookie.NewId();

        var sessionId = await env.LoginAsync(presetCookie: planted);
        using var withPlanted = await env.SendAsync(HttpMethod.Get, "/test/session/orders/1", planted);

        Assert.NotEqual(planted, sessionId);
        Assert.False(await env.SessionExistsAsync(planted));
        Assert.Equal(HttpStatusCode.Unauthorized, withPlanted.StatusCode);
        Assert.Empty(env.Forwarded);
    }

    [Fact]
    public async Task Login_Again_ReplacesAndEndsThePreviousSession()
    {
        await using var env = await SessionEnvironment.StartAsync();
        var first = await env.LoginAsync();

        var second = await env.LoginAsync(presetCookie: first);

        Assert.NotEqual(first, second);
        Assert.False(await env.SessionExistsAsync(first));
        Assert.True(await env.SessionExistsAsync(second));
    }

    [Theory]
    [InlineData("short")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa+")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("..%2F..%2F..%2Fetc%2Fpasswd")]
    [InlineData("*")]
    public async Task Session_MalformedId_IsRejectedWithoutAskingRedis(string cookie)
    {
        // A Redis that is not there: a lookup would be a 503, not a 401.
        var port = RedisTestServer.FreePort();
        await using var env = await SessionEnvironment.StartAsync(overrides: new()
        {
            ["ConnectionStrings:cache"] = $"127.0.0.1:{port},abortConnect=false,connectTimeout=200,syncTimeout=300",
        });

        using var response = await env.SendAsync(HttpMethod.Get, "/test/session/orders/1", cookie);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_token", await SessionEnvironment.ErrorCodeAsync(response));
        Assert.True(SessionEnvironment.ClearsCookie(response));
        Assert.Empty(env.Forwarded);
    }

    [Fact]
    public async Task Session_UnknownId_Returns401AndClearsTheCookie()
    {
        await using var env = await SessionEnvironment.StartAsync();

        using var response = await env.SendAsync(HttpMethod.Get, "/test/session/orders/1", SessionCookie.NewId());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_token", await SessionEnvironment.ErrorCodeAsync(response));
        Assert.True(SessionEnvironment.ClearsCookie(response));
        Assert.Empty(env.Forwarded);
    }

    [Theory]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    [InlineData("https://evil.example/")]
    [InlineData("evil")]
    [InlineData("/ok\r\nSet-Cookie:x=y")]
    public async Task Login_NonLocalReturnUrl_Returns400(string returnUrl)
    {
        await using var env = await SessionEnvironment.StartAsync();

        using var response = await env.SendAsync(HttpMethod.Get, "/bff/login?returnUrl=" + Uri.EscapeDataString(returnUrl), null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", await SessionEnvironment.ErrorCodeAsync(response));
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task Callback_UnknownState_Returns400AndCreatesNoSession()
    {
        await using var env = await SessionEnvironment.StartAsync();

        using var response = await env.SendAsync(HttpMethod.Get, "/bff/callback?code=abc&state=forged", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", await SessionEnvironment.ErrorCodeAsync(response));
        Assert.Null(SessionEnvironment.SetCookie(response));
    }

    [Fact]
    public async Task Callback_ReplayedState_Returns400()
    {
        await using var env = await SessionEnvironment.StartAsync();
        using var login = await env.SendAsync(HttpMethod.Get, "/bff/login", null);
        using var idp = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var authorize = await idp.GetAsync(login.Headers.Location);
        var callback = authorize.Headers.Location!.PathAndQuery;

        using var first = await env.SendAsync(HttpMethod.Get, callback, null);
        using var replay = await env.SendAsync(HttpMethod.Get, callback, null);

        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal("invalid_request", await SessionEnvironment.ErrorCodeAsync(replay));
        Assert.Null(SessionEnvironment.SetCookie(replay));
    }

    [Fact]
    public async Task Callback_IssuerMixUp_Returns400()
    {
        await using var env = await SessionEnvironment.StartAsync();
        using var login = await env.SendAsync(HttpMethod.Get, "/bff/login", null);
        using var idp = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var authorize = await idp.GetAsync(login.Headers.Location);
        var callback = authorize.Headers.Location!.PathAndQuery.Replace(
            "iss=" + Uri.EscapeDataString(env.Idp.Issuer), "iss=" + Uri.EscapeDataString("https://evil.example"), StringComparison.Ordinal);

        using var response = await env.SendAsync(HttpMethod.Get, callback, null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", await SessionEnvironment.ErrorCodeAsync(response));
        Assert.Null(SessionEnvironment.SetCookie(response));
    }

    [Fact]
    public async Task Logout_WithoutTheAntiCsrfHeader_Returns403AndKeepsTheSession()
    {
        await using var env = await SessionEnvironment.StartAsync();
        var sessionId = await env.LoginAsync();

        using var response = await env.SendAsync(HttpMethod.Post, "/bff/logout", sessionId);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("csrf_required", await SessionEnvironment.ErrorCodeAsync(response));
        Assert.True(await env.SessionExistsAsync(sessionId));
    }

    [Fact]
    public async Task Logout_JsonClient_GetsTheEndSessionUrlInTheBody()
    {
        await using var env = await SessionEnvironment.StartAsync();
        var sessionId = await env.LoginAsync();

        using var response = await env.SendAsync(HttpMethod.Post, "/bff/logout", sessionId, r =>
        {
            r.Headers.Add("X-CSRF", "1");
            r.Headers.Add("Accept", "application/json");
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("/connect/endsession?", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(await env.SessionExistsAsync(sessionId));
    }
}
