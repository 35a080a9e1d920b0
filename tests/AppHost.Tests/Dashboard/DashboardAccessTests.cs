using System.Net;
using Reference.AppHost.Dashboard;

namespace Reference.AppHost.Tests.Dashboard;

public sealed class DashboardAccessTests
{
    [Theory]
    [InlineData("wrong")]
    [InlineData("")]
    [InlineData("x")]
    public async Task Login_WrongToken_Returns401WithoutCookie(string token)
    {
        await using var dashboard = await DashboardTestHost.StartAsync();
        using var client = dashboard.CreateClient();

        using var response = await client.GetAsync($"/login?t={Uri.EscapeDataString(token)}");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Contains("not valid", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_TokenWithOneCharacterChanged_Returns401()
    {
        await using var dashboard = await DashboardTestHost.StartAsync();
        using var client = dashboard.CreateClient();
        var token = dashboard.Host.Auth.BrowserToken;
        var nearMiss = token[..^1] + (token[^1] == 'A' ? 'B' : 'A');

        using var prefix = await client.GetAsync($"/login?t={Uri.EscapeDataString(token[..^1])}");
        using var changed = await client.GetAsync($"/login?t={Uri.EscapeDataString(nearMiss)}");
        using var longer = await client.GetAsync($"/login?t={Uri.EscapeDataString(token + "A")}");

        Assert.Equal(HttpStatusCode.Unauthorized, prefix.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, changed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, longer.StatusCode);
    }

    [Fact]
    public async Task Login_ValidToken_SetsHttpOnlyStrictCookieThatOpensThePages()
    {
        await using var dashboard = await DashboardTestHost.StartAsync();
        using var client = dashboard.CreateClient();

        using var response = await client.GetAsync(dashboard.Host.LoginUrl.PathAndQuery);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith($"{DashboardAuth.CookieName}=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(dashboard.Host.Auth.BrowserToken, cookie, StringComparison.Ordinal);
        using var signedIn = dashboard.CreateClient();
        signedIn.DefaultRequestHeaders.Add("Cookie", cookie.Split(';')[0]);
        using var page = await signedIn.GetAsync("/resources");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public void BrowserToken_Comparison_IsConstantTimeOverDigests()
    {
        var auth = new DashboardAuth("the-token");

        Assert.True(auth.IsValidBrowserToken("the-token"));
        Assert.False(auth.IsValidBrowserToken("the-toke"));
        Assert.False(auth.IsValidBrowserToken("the-token "));
        Assert.False(auth.IsValidBrowserToken(null));
        Assert.NotEqual(auth.BrowserToken, auth.SessionValue);
        Assert.Equal(8, auth.BrowserTokenFingerprint.Length);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/resources")]
    [InlineData("/resources?partial=1")]
    [InlineData("/console")]
    [InlineData("/structuredlogs")]
    [InlineData("/structuredlogs/1")]
    [InlineData("/traces")]
    [InlineData("/traces/4bf92f3577b34da6a3ce929d0e0e4736")]
    [InlineData("/metrics")]
    public async Task Pages_WithoutOrWithAForgedCookie_Return401(string path)
    {
        await using var dashboard = await DashboardTestHost.StartAsync();
        using var anonymous = dashboard.CreateClient();
        using var forged = dashboard.CreateClient();
        forged.DefaultRequestHeaders.Add("Cookie", $"{DashboardAuth.CookieName}={dashboard.Host.Auth.BrowserToken}");

        using var response = await anonymous.GetAsync(path);
        using var forgedResponse = await forged.GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, forgedResponse.StatusCode);
        Assert.DoesNotContain("<table", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_Always_CarryCspAndFrameHeaders()
    {
        await using var dashboard = await DashboardTestHost.StartAsync();
        using var client = dashboard.CreateSignedInClient();

        using var response = await client.GetAsync("/resources");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'; script-src 'self'; style-src 'self'", csp, StringComparison.Ordinal);
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("style=", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResourceAction_WithoutCsrfToken_Returns403AndDoesNothing()
    {
        await using var dashboard = await DashboardTestHost.StartAsync();
        dashboard.Notifications.Initialize(new TestResource("orders"));
        using var client = dashboard.CreateSignedInClient();

        using var missing = await client.PostAsync("/resources/orders/stop", new FormUrlEncodedContent(new Dictionary<string, string>()));
        using var wrong = await client.PostAsync("/resources/orders/stop", new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = "nope" }));

        Assert.Equal(HttpStatusCode.Forbidden, missing.StatusCode);
        Assert.Equal("invalid_csrf_token", await wrong.Content.ReadAsStringAsync());
        Assert.Empty(dashboard.Control.Calls);
    }

    [Theory]
    [InlineData("stop")]
    [InlineData("start")]
    [InlineData("restart")]
    public async Task ResourceAction_WithCsrfToken_ReachesTheOrchestrator(string action)
    {
        await using var dashboard = await DashboardTestHost.StartAsync();
        dashboard.Notifications.Initialize(new TestResource("orders"));
        using var client = dashboard.CreateSignedInClient();
        var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = dashboard.Host.Auth.CsrfToken });

        using var response = await client.PostAsync($"/resources/orders/{action}", form);
        await dashboard.Control.Called.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal([$"{action} orders"], dashboard.Control.Calls);
    }

    [Fact]
    public async Task ResourceAction_UnknownResource_Returns404()
    {
        await using var dashboard = await DashboardTestHost.StartAsync();
        using var client = dashboard.CreateSignedInClient();
        var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf"] = dashboard.Host.Auth.CsrfToken });

        using var response = await client.PostAsync("/resources/nothing/stop", form);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(dashboard.Control.Calls);
    }

    internal sealed class TestResource(string name) : Resource(name)
    {
        public override string ResourceType => "Project";
    }
}
