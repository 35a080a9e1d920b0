using System.Net;
using System.Text.Json;
using Reference.Gateway.Authentication.Sessions;
using Reference.Gateway.Tests.Infrastructure;

namespace Reference.Gateway.Tests.Authentication.Sessions;

public sealed class SessionFlowTests
{
    [Fact]
    public async Task Bff_LoginApiCallRefreshLogout_FullFlow()
    {
        await using var env = await SessionEnvironment.StartAsync();

        var sessionId = await env.LoginAsync();
        using var firstCall = await env.SendAsync(HttpMethod.Get, "/test/session/orders/1", sessionId);
        var firstCaller = Assert.Single(env.Forwarded);
        env.Clock.Advance(TimeSpan.FromMinutes(4.5));
        using var afterRefresh = await env.SendAsync(HttpMethod.Get, "/test/session/orders/1", sessionId);
        var refreshedCaller = env.Forwarded.Last();
        using var logout = await env.SendAsync(HttpMethod.Post, "/bff/logout", sessionId, r => r.Headers.Add("X-CSRF", "1"));
        using var afterLogout = await env.SendAsync(HttpMethod.Get, "/test/session/orders/1", sessionId);

        Assert.Equal(HttpStatusCode.OK, firstCall.StatusCode);
        Assert.Equal("session", firstCaller.Scheme);
        Assert.Equal(ControllableIdentityProvider.UserId, firstCaller.Subject);
        Assert.Equal(env.Idp.SessionId, firstCaller.SessionId);
        Assert.Equal("tenant-a", firstCaller.TenantId);
        Assert.Contains("orders.read", firstCaller.Scopes);
        Assert.NotNull(firstCaller.AccessToken);

        Assert.Equal(HttpStatusCode.OK, afterRefresh.StatusCode);
        Assert.Equal(1, env.Idp.RefreshCalls);
        Assert.NotEqual(firstCaller.AccessToken, refreshedCaller.AccessToken);

        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        var endSession = logout.Headers.Location!.ToString();
        Assert.StartsWith($"{env.Idp.Url}/connect/endsession?", endSession, StringComparison.Ordinal);
        Assert.Contains("id_token_hint=", endSession, StringComparison.Ordinal);
        Assert.Contains("post_logout_redirect_uri=" + Uri.EscapeDataString("http://localhost/"), endSession, StringComparison.Ordinal);
        Assert.True(SessionEnvironment.ClearsCookie(logout));
        Assert.False(await env.SessionExistsAsync(sessionId));
        Assert.Equal(HttpStatusCode.Unauthorized, afterLogout.StatusCode);
        Assert.Equal(2, env.Forwarded.Count);
    }

    [Fact]
    public async Task Callback_NewSession_CookieIsOpaqueHttpOnlyLaxAndTheStoreKeyIsHashed()
    {
        await using var env = await SessionEnvironment.StartAsync();

        var sessionId = await env.LoginAsync();
        using var response = await env.SendAsync(HttpMethod.Get, $"/bff/login?returnUrl=%2F", null);

        Assert.True(SessionCookie.IsWellFormed(sessionId));
        Assert.True(await env.SessionExistsAsync(sessionId));
        Assert.False(await env.RedisClient.ExistsAsync(env.KeyPrefix + "session:" + sessionId));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Callback_SetsCookieAttributes()
    {
        await using var env = await SessionEnvironment.StartAsync();
        using var login = await env.SendAsync(HttpMethod.Get, "/bff/login", null);
        using var idp = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var authorize = await idp.GetAsync(login.Headers.Location);

        using var callback = await env.SendAsync(HttpMethod.Get, authorize.Headers.Location!.PathAndQuery, null);

        var cookie = SessionEnvironment.SetCookie(callback)!.ToLowerInvariant();
        Assert.Contains("httponly", cookie, StringComparison.Ordinal);
        Assert.Contains("samesite=lax", cookie, StringComparison.Ordinal);
        Assert.Contains("path=/", cookie, StringComparison.Ordinal);
        Assert.DoesNotContain("domain=", cookie, StringComparison.Ordinal);
        Assert.Equal("/", callback.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Login_StartsCodeFlowWithPkceS256AndNonce()
    {
        await using var env = await SessionEnvironment.StartAsync();

        using var login = await env.SendAsync(HttpMethod.Get, "/bff/login", null);

        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(login.Headers.Location!.Query);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal(ControllableIdentityProvider.BffClientId, query["client_id"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Equal(43, query["code_challenge"].ToString().Length);
        Assert.False(string.IsNullOrEmpty(query["nonce"]));
        Assert.False(string.IsNullOrEmpty(query["state"]));
        Assert.Equal("http://localhost/bff/callback", query["redirect_uri"]);
        Assert.Contains("openid", query["scope"].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task User_ActiveSession_ReturnsClaims()
    {
        await using var env = await SessionEnvironment.StartAsync();
        var sessionId = await env.LoginAsync();

        using var response = await env.SendAsync(HttpMethod.Get, "/bff/user", sessionId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(ControllableIdentityProvider.UserId, json.RootElement.GetProperty("sub").GetString());
        Assert.Equal("alice@example.com", json.RootElement.GetProperty("email").GetString());
        Assert.Equal("Alice", json.RootElement.GetProperty("name").GetString());
        Assert.False(json.RootElement.TryGetProperty("access_token", out _));
    }

    [Fact]
    public async Task User_NoSession_Returns401()
    {
        await using var env = await SessionEnvironment.StartAsync();

        using var response = await env.SendAsync(HttpMethod.Get, "/bff/user", null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_token", await SessionEnvironment.ErrorCodeAsync(response));
    }

    [Fact]
    public async Task Refresh_RejectedByTheIdp_EndsTheSession()
    {
        await using var env = await SessionEnvironment.StartAsync();
        var sessionId = await env.LoginAsync();
        env.Idp.RejectRefresh = true;
        env.Clock.Advance(TimeSpan.FromMinutes(4.5));

        using var response = await env.SendAsync(HttpMethod.Get, "/test/session/orders/1", sessionId);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_token", await SessionEnvironment.ErrorCodeAsync(response));
        Assert.True(SessionEnvironment.ClearsCookie(response));
        Assert.False(await env.SessionExistsAsync(sessionId));
        Assert.Empty(env.Forwarded);
    }

    [Fact]
    public async Task Refresh_LockHeldByAnotherInstance_UsesTheCurrentTokenWhileValid()
    {
        await using var env = await SessionEnvironment.StartAsync();
        var sessionId = await env.LoginAsync();
        await env.RedisClient.SetAsync(env.KeyPrefix + "session-lock:" + SessionStore.Hash(sessionId), "another-instance", TimeSpan.FromSeconds(30));
        env.Clock.Advance(TimeSpan.FromMinutes(4.5));

        using var response = await env.SendAsync(HttpMethod.Get, "/test/session/orders/1", sessionId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, env.Idp.RefreshCalls);
    }

    [Fact]
    public async Task Refresh_LockHeldAndTokenExpired_FailsClosedWith503()
    {
        await using var env = await SessionEnvironment.StartAsync();
        var sessionId = await env.LoginAsync();
        await env.RedisClient.SetAsync(env.KeyPrefix + "session-lock:" + SessionStore.Hash(sessionId), "another-instance", TimeSpan.FromSeconds(30));
        env.Clock.Advance(TimeSpan.FromMinutes(6));

        using var response = await env.SendAsync(HttpMethod.Get, "/test/session/orders/1", sessionId);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("temporarily_unavailable", await SessionEnvironment.ErrorCodeAsync(response));
        Assert.Equal(0, env.Idp.RefreshCalls);
        Assert.Empty(env.Forwarded);
    }

    [Fact]
    public async Task Session_IdleLongerThanTheSlidingExpiration_Returns401AndClearsTheCookie()
    {
        await using var env = await SessionEnvironment.StartAsync();
        var sessionId = await env.LoginAsync();
        env.Clock.Advance(TimeSpan.FromMinutes(21));

        using var response = await env.SendAsync(HttpMethod.Get, "/test/session/orders/1", sessionId);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_token", await SessionEnvironment.ErrorCodeAsync(response));
        Assert.True(SessionEnvironment.ClearsCookie(response));
        Assert.False(await env.SessionExistsAsync(sessionId));
        Assert.Empty(env.Forwarded);
    }

    [Fact]
    public async Task Session_ActivityExtendsTheSlidingWindowButNotPastTheAbsoluteMaximum()
    {
        await using var env = await SessionEnvironment.StartAsync(overrides: new()
        {
            ["Gateway:Bff:SlidingExpiration"] = "00:20:00",
            ["Gateway:Bff:AbsoluteExpiration"] = "00:30:00",
        });
        var sessionId = await env.LoginAsync();
        env.Clock.Advance(TimeSpan.FromMinutes(15));
        using var active = await env.SendAsync(HttpMethod.Get, "/test/session/orders/1", sessionId);
        env.Clock.Advance(TimeSpan.FromMinutes(14));
        using var stillActive = await env.SendAsync(HttpMethod.Get, "/test/session/orders/1", sessionId);
        env.Clock.Advance(TimeSpan.FromMinutes(2));
        using var pastAbsolute = await env.SendAsync(HttpMethod.Get, "/test/session/orders/1", sessionId);

        Assert.Equal(HttpStatusCode.OK, active.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stillActive.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, pastAbsolute.StatusCode);
        Assert.True(SessionEnvironment.ClearsCookie(pastAbsolute));
    }
}
