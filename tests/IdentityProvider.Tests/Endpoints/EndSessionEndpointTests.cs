using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Reference.Redis;
using static Reference.IdentityProvider.Tests.IdentityProviderFactory;

namespace Reference.IdentityProvider.Tests.Endpoints;

public sealed class EndSessionEndpointTests(IdentityProviderFactory factory) : IClassFixture<IdentityProviderFactory>
{
    private const string EndSessionPath = "/connect/endsession";

    [Fact]
    public async Task EndSession_HintForCurrentSession_LogsOutRedirectsAndRevokesTheSession()
    {
        using var browser = Browser.Create(factory);
        var sid = await SignInToRpAsync(browser);
        var hint = await SelfIssuedTokens.IdTokenAsync(factory, RpClientId, "bob", sid);
        var redis = factory.Services.GetRequiredService<RedisClient>();
        var published = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await redis.SubscribeAsync("reference:revocations", m =>
        {
            var text = m.Message.ToString();
            if (text.Contains(sid, StringComparison.Ordinal))
            {
                published.TrySetResult(text);
            }
        });

        using var response = await browser.GetAsync(QueryHelpers.AddQueryString(EndSessionPath, new Dictionary<string, string?>
        {
            ["id_token_hint"] = hint,
            ["post_logout_redirect_uri"] = RpPostLogoutUri,
            ["state"] = "bye-1",
        }));
        using var afterwards = await browser.GetAsync(Browser.AuthorizeUrl(RpClientId, RpRedirectUri, ("prompt", "none")));
        using var message = JsonDocument.Parse(await published.Task.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(RpPostLogoutUri + "?state=bye-1", response.Headers.Location!.OriginalString);
        Assert.False(browser.Cookies.ContainsKey(Browser.SessionCookie));
        Assert.Equal("login_required", Browser.Query(afterwards.Headers.Location!)["error"]);
        Assert.True(await redis.ExistsAsync($"revoked:sid:{sid}"));
        Assert.Equal("sid", message.RootElement.GetProperty("type").GetString());
        Assert.Equal(sid, message.RootElement.GetProperty("value").GetString());
        Assert.True(message.RootElement.GetProperty("exp").GetInt64() > factory.Time.GetUtcNow().ToUnixTimeSeconds());
    }

    [Fact]
    public async Task EndSession_ClientWithBackChannelUri_ReceivesLogoutToken()
    {
        using var browser = Browser.Create(factory);
        var sid = await SignInToRpAsync(browser);
        var hint = await SelfIssuedTokens.IdTokenAsync(factory, RpClientId, "bob", sid);

        using var response = await browser.GetAsync(EndSessionPath + "?id_token_hint=" + hint);

        var (uri, body) = Assert.Single(factory.BackChannel.Requests, r => r.Body.Contains("logout_token=", StringComparison.Ordinal) && Matches(r.Body, sid));
        var logoutToken = QueryHelpers.ParseQuery(body)["logout_token"].ToString();
        var jwt = await SelfIssuedTokens.ValidateAsync(factory, logoutToken, RpClientId, "logout+jwt");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(RpBackChannelUri, uri.OriginalString);
        Assert.Equal("5d2f7c31-bob", jwt.Subject);
        Assert.Equal(sid, jwt.GetClaim("sid").Value);
        Assert.False(string.IsNullOrEmpty(jwt.Id));
        Assert.False(jwt.TryGetClaim("nonce", out _));
        Assert.Equal(TimeSpan.FromMinutes(2), jwt.ValidTo - jwt.IssuedAt);
        using var events = JsonDocument.Parse(jwt.GetClaim("events").Value);
        Assert.Equal(JsonValueKind.Object, events.RootElement.GetProperty("http://schemas.openid.net/event/backchannel-logout").ValueKind);
    }

    [Fact]
    public async Task EndSession_BackChannelEndpointFails_LogoutStillCompletes()
    {
        using var failing = new IdentityProviderFactory();
        failing.BackChannel.StatusCode = HttpStatusCode.InternalServerError;
        using var browser = Browser.Create(failing);
        var sid = await SignInToRpAsync(browser);
        var hint = await SelfIssuedTokens.IdTokenAsync(failing, RpClientId, "bob", sid);

        using var response = await browser.GetAsync(EndSessionPath + "?id_token_hint=" + hint);
        using var afterwards = await browser.GetAsync(Browser.AuthorizeUrl(RpClientId, RpRedirectUri, ("prompt", "none")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(failing.BackChannel.Requests);
        Assert.Equal("login_required", Browser.Query(afterwards.Headers.Location!)["error"]);
        Assert.Contains(failing.Logs.Lines, l => l.Contains("[4011]", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("https://rp.example/signed-out/")]
    [InlineData("https://RP.example/signed-out")]
    [InlineData("https://rp.example/signed-out?x=1")]
    [InlineData("https://evil.example/")]
    [InlineData("http://localhost:5099/signed-out")]
    public async Task EndSession_UnregisteredPostLogoutRedirectUri_ShowsErrorAndKeepsTheSession(string postLogoutRedirectUri)
    {
        using var browser = Browser.Create(factory);
        var sid = await SignInToRpAsync(browser);
        var hint = await SelfIssuedTokens.IdTokenAsync(factory, RpClientId, "bob", sid);

        using var response = await browser.GetAsync(QueryHelpers.AddQueryString(EndSessionPath, new Dictionary<string, string?>
        {
            ["id_token_hint"] = hint,
            ["post_logout_redirect_uri"] = postLogoutRedirectUri,
        }));
        using var afterwards = await browser.GetAsync(Browser.AuthorizeUrl(RpClientId, RpRedirectUri, ("prompt", "none")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
        Assert.True(Browser.Query(afterwards.Headers.Location!).ContainsKey("code"));
    }

    [Fact]
    public async Task EndSession_PostLogoutRedirectUriWithoutClient_IsNotFollowed()
    {
        using var browser = Browser.Create(factory);

        using var response = await browser.GetAsync(EndSessionPath + "?post_logout_redirect_uri=" + Uri.EscapeDataString(RpPostLogoutUri));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task EndSession_WithoutHint_AsksForConfirmationThenLogsOutOnAntiforgeryPost()
    {
        using var browser = Browser.Create(factory);
        await SignInToRpAsync(browser);

        using var page = await browser.GetAsync(EndSessionPath + "?client_id=" + RpClientId + "&post_logout_redirect_uri=" + Uri.EscapeDataString(RpPostLogoutUri) + "&state=s1");
        var html = await page.Content.ReadAsStringAsync();
        var stillSignedIn = browser.Cookies.ContainsKey(Browser.SessionCookie);
        using var confirmed = await browser.PostFormAsync(EndSessionPath,
        [
            new("__RequestVerificationToken", Browser.AntiforgeryToken(html)),
            new("confirm", "yes"),
            new("client_id", Browser.HiddenValue(html, "client_id")!),
            new("post_logout_redirect_uri", Browser.HiddenValue(html, "post_logout_redirect_uri")!),
            new("state", Browser.HiddenValue(html, "state")!),
        ]);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Sign out", html, StringComparison.Ordinal);
        Assert.True(stillSignedIn);
        Assert.Equal(HttpStatusCode.Found, confirmed.StatusCode);
        Assert.Equal(RpPostLogoutUri + "?state=s1", confirmed.Headers.Location!.OriginalString);
        Assert.False(browser.Cookies.ContainsKey(Browser.SessionCookie));
    }

    [Fact]
    public async Task EndSession_ConfirmationWithoutAntiforgery_Returns400AndKeepsTheSession()
    {
        using var browser = Browser.Create(factory);
        await SignInToRpAsync(browser);

        using var response = await browser.PostFormAsync(EndSessionPath, [new("confirm", "yes")]);
        using var afterwards = await browser.GetAsync(Browser.AuthorizeUrl(RpClientId, RpRedirectUri, ("prompt", "none")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(Browser.Query(afterwards.Headers.Location!).ContainsKey("code"));
    }

    [Fact]
    public async Task EndSession_HintForAnotherSession_AsksForConfirmation()
    {
        using var browser = Browser.Create(factory);
        await SignInToRpAsync(browser);
        var otherHint = await SelfIssuedTokens.IdTokenAsync(factory, RpClientId, "bob", "some-other-session-id");

        using var response = await browser.GetAsync(EndSessionPath + "?id_token_hint=" + otherHint);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(Browser.HiddenValue(await response.Content.ReadAsStringAsync(), "__RequestVerificationToken"));
        Assert.True(browser.Cookies.ContainsKey(Browser.SessionCookie));
    }

    [Fact]
    public async Task EndSession_ExpiredHint_IsAccepted()
    {
        using var browser = Browser.Create(factory);
        var sid = await SignInToRpAsync(browser);
        var hint = await SelfIssuedTokens.IdTokenAsync(factory, RpClientId, "bob", sid);
        factory.Time.Advance(TimeSpan.FromHours(1));

        using var response = await browser.GetAsync(EndSessionPath + "?id_token_hint=" + hint + "&post_logout_redirect_uri=" + Uri.EscapeDataString(RpPostLogoutUri));

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(RpPostLogoutUri, response.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("foreign")]
    [InlineData("access-token")]
    [InlineData("garbage")]
    public async Task EndSession_InvalidHint_ShowsErrorPage(string kind)
    {
        using var browser = Browser.Create(factory);
        var hint = kind switch
        {
            "foreign" => await SelfIssuedTokens.AccessTokenAsync(factory, "5d2f7c31-bob", "openid", typ: "JWT", credentials: SelfIssuedTokens.ForeignCredentials()),
            "access-token" => await SelfIssuedTokens.AccessTokenAsync(factory, "5d2f7c31-bob", "openid"),
            _ => "a.b.c",
        };

        using var response = await browser.GetAsync(EndSessionPath + "?id_token_hint=" + hint + "&post_logout_redirect_uri=" + Uri.EscapeDataString(RpPostLogoutUri));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task EndSession_ClientIdDifferentFromHintAudience_ShowsErrorPage()
    {
        using var browser = Browser.Create(factory);
        var hint = await SelfIssuedTokens.IdTokenAsync(factory, RpClientId, "bob", "sid-x");

        using var response = await browser.GetAsync(EndSessionPath + "?id_token_hint=" + hint + "&client_id=demo-web");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task AccountLogout_NoSession_ShowsSignedOutPage()
    {
        using var browser = Browser.Create(factory);

        using var response = await browser.GetAsync("/account/logout");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("signed out", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static bool Matches(string body, string sid) =>
        new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(QueryHelpers.ParseQuery(body)["logout_token"].ToString()).GetClaim("sid").Value == sid;

    /// <summary>Bob signs in through rp-client (which records rp-client in the session); returns the sid.</summary>
    private static async Task<string> SignInToRpAsync(Browser browser)
    {
        var location = await browser.AuthorizeAsync(Browser.AuthorizeUrl(RpClientId, RpRedirectUri), "bob");
        Assert.True(Browser.Query(location).ContainsKey("code"), location.OriginalString);
        return browser.Cookies[Browser.SessionCookie];
    }
}
