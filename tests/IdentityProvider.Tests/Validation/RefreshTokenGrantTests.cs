using System.Net;
using Microsoft.IdentityModel.JsonWebTokens;
using static Reference.IdentityProvider.Tests.IdentityProviderFactory;
using static Reference.IdentityProvider.Tests.TokenRequests;
using static Reference.IdentityProvider.Tests.Validation.AuthorizationCodeGrantTests;

namespace Reference.IdentityProvider.Tests.Validation;

public sealed class RefreshTokenGrantTests : IDisposable
{
    private readonly LifecycleHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task Refresh_ValidToken_RotatesAndIssuesNewTokens()
    {
        var signIn = await _host.SignInAsync();
        var original = signIn.GetProperty("refresh_token").GetString()!;

        using var response = await _host.RefreshAsync(original);
        var json = await ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.CacheControl());
        var rotated = json.GetProperty("refresh_token").GetString()!;
        Assert.NotEqual(original, rotated);
        Assert.Equal("openid offline_access orders.read", json.GetProperty("scope").GetString());
        var token = new JsonWebToken(json.GetProperty("access_token").GetString()!);
        Assert.Equal(LifecycleHost.Alice, token.Subject);
        Assert.NotEqual(new JsonWebToken(signIn.GetProperty("access_token").GetString()!).Id, token.Id);
        Assert.True((await _host.IntrospectAsync(rotated, CodeClientId, CodeClientSecret)).GetProperty("active").GetBoolean());
        Assert.False((await _host.IntrospectAsync(original, CodeClientId, CodeClientSecret)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Refresh_ReuseOfRotatedToken_RevokesTheWholeFamily()
    {
        var signIn = await _host.SignInAsync();
        var original = signIn.GetProperty("refresh_token").GetString()!;
        using var first = await _host.RefreshAsync(original);
        var rotated = await ReadJsonAsync(first);
        var messages = new List<string>();
        await using var subscription = await _host.Redis.SubscribeAsync("reference:revocations", m => { lock (messages) { messages.Add(m.Message.ToString()); } });

        using var reuse = await _host.RefreshAsync(original);

        await AssertErrorAsync(reuse, HttpStatusCode.BadRequest, "invalid_grant", "reuse");
        using var afterReuse = await _host.RefreshAsync(rotated.GetProperty("refresh_token").GetString()!);
        await AssertErrorAsync(afterReuse, HttpStatusCode.BadRequest, "invalid_grant", "newest token of a revoked family");
        foreach (var accessToken in new[] { signIn.GetProperty("access_token").GetString()!, rotated.GetProperty("access_token").GetString()! })
        {
            Assert.Equal("""{"active":false}""", (await _host.IntrospectAsync(accessToken)).GetRawText());
        }

        Assert.Contains(_host.Factory.Logs.Lines, l => l.Contains("[4102]", StringComparison.Ordinal));
        await WaitUntilAsync(() => { lock (messages) { return messages.Any(m => m.Contains("\"type\":\"family\"", StringComparison.Ordinal)); } });
    }

    [Fact]
    public async Task Refresh_ConcurrentUseOfOneToken_ExactlyOneSucceeds()
    {
        var original = (await _host.SignInAsync()).GetProperty("refresh_token").GetString()!;

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _host.RefreshAsync(original)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        foreach (var response in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant", "concurrent loser");
        }

        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Refresh_UsedWithinSlidingWindow_StaysAliveUntilTheAbsoluteLifetime()
    {
        var token = (await _host.SignInAsync()).GetProperty("refresh_token").GetString()!;

        // Sliding 1 h, absolute 3 h: refreshing every 50 minutes keeps the family alive until 3 h, not longer.
        for (var i = 0; i < 3; i++)
        {
            _host.Time.Advance(TimeSpan.FromMinutes(50));
            using var response = await _host.RefreshAsync(token);
            var json = await ReadJsonAsync(response);
            Assert.True(response.StatusCode == HttpStatusCode.OK, json.ToString());
            token = json.GetProperty("refresh_token").GetString()!;
        }

        var introspection = await _host.IntrospectAsync(token, CodeClientId, CodeClientSecret);
        Assert.Equal(_host.Time.GetUtcNow().AddMinutes(30).ToUnixTimeSeconds(), introspection.GetProperty("exp").GetInt64());

        _host.Time.Advance(TimeSpan.FromMinutes(30));
        using var expired = await _host.RefreshAsync(token);
        await AssertErrorAsync(expired, HttpStatusCode.BadRequest, "invalid_grant", "past the absolute lifetime");
    }

    [Fact]
    public async Task Refresh_UnusedPastSlidingLifetime_ReturnsInvalidGrant()
    {
        var token = (await _host.SignInAsync()).GetProperty("refresh_token").GetString()!;
        _host.Time.Advance(TimeSpan.FromMinutes(61));

        using var response = await _host.RefreshAsync(token);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant", "past the sliding lifetime");
    }

    [Theory]
    [InlineData("openid")]
    [InlineData("orders.read")]
    [InlineData("offline_access orders.read")]
    public async Task Refresh_NarrowerScope_IssuesNarrowedAccessTokenAndKeepsTheGrant(string scope)
    {
        var token = (await _host.SignInAsync()).GetProperty("refresh_token").GetString()!;

        using var response = await _host.RefreshAsync(token, scope: scope);
        var json = await ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(scope, json.GetProperty("scope").GetString());
        using var again = await _host.RefreshAsync(json.GetProperty("refresh_token").GetString()!);
        Assert.Equal("openid offline_access orders.read", (await ReadJsonAsync(again)).GetProperty("scope").GetString());
    }

    [Theory]
    [InlineData("orders.write")]
    [InlineData("orders.read email")]
    [InlineData("inventory.read")]
    [InlineData("orders.read  openid")]
    public async Task Refresh_ScopeEscalation_ReturnsInvalidScope(string scope)
    {
        var token = (await _host.SignInAsync()).GetProperty("refresh_token").GetString()!;

        using var response = await _host.RefreshAsync(token, scope: scope);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_scope", scope);
    }

    [Fact]
    public async Task Refresh_TokenOfAnotherClient_ReturnsInvalidGrant()
    {
        var token = (await _host.SignInAsync()).GetProperty("refresh_token").GetString()!;

        using var response = await _host.RefreshAsync(token, OtherCodeClientId, OtherCodeClientSecret);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant", "foreign refresh token");
        using var owner = await _host.RefreshAsync(token);
        Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")]
    [InlineData("a.b.c")]
    public async Task Refresh_UnknownToken_ReturnsInvalidGrant(string token)
    {
        using var response = await _host.RefreshAsync(token);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant", token);
    }

    [Fact]
    public async Task Refresh_PublicClient_RotatesWithClientIdOnly()
    {
        var token = (await _host.SignInAsync(PublicClientId, secret: null)).GetProperty("refresh_token").GetString()!;

        using var response = await _host.RefreshAsync(token, PublicClientId, secret: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Refresh_UserDeactivated_ReturnsInvalidGrant()
    {
        var token = (await _host.SignInAsync()).GetProperty("refresh_token").GetString()!;
        _host.Users.Replace(new Reference.IdentityProvider.Stores.Users.User(LifecycleHost.Alice, "alice", "tenant-a", null, false, null, [], IsActive: false));

        using var response = await _host.RefreshAsync(token);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant", "deactivated user");
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
