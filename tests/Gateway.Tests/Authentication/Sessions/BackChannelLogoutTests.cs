using System.Net;
using System.Security.Cryptography;

namespace Reference.Gateway.Tests.Authentication.Sessions;

public sealed class BackChannelLogoutTests
{
    [Fact]
    public async Task BackChannelLogout_BySid_DeletesEverySessionOfThatIdpSession()
    {
        await using var env = await SessionEnvironment.StartAsync();
        var first = await env.LoginAsync();
        var second = await env.LoginAsync();
        env.Idp.SessionId = "idp-session-2";
        var other = await env.LoginAsync();

        using var response = await PostAsync(env, env.Idp.CreateLogoutToken(p => p["sid"] = "idp-session-1"));
        using var afterLogout = await env.SendAsync(HttpMethod.Get, "/test/session/orders/1", first);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(await env.SessionExistsAsync(first));
        Assert.False(await env.SessionExistsAsync(second));
        Assert.True(await env.SessionExistsAsync(other));
        Assert.Equal(HttpStatusCode.Unauthorized, afterLogout.StatusCode);
        Assert.Empty(env.Forwarded);
    }

    [Fact]
    public async Task BackChannelLogout_BySubOnly_DeletesEverySessionOfTheUser()
    {
        await using var env = await SessionEnvironment.StartAsync();
        var first = await env.LoginAsync();
        env.Idp.SessionId = "idp-session-2";
        var second = await env.LoginAsync();

        using var response = await PostAsync(env, env.Idp.CreateLogoutToken(p => p.Remove("sid")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(await env.SessionExistsAsync(first));
        Assert.False(await env.SessionExistsAsync(second));
    }

    public static TheoryData<string> InvalidLogoutTokens => new()
    {
        "bad-signature", "wrong-aud", "wrong-iss", "missing-events", "wrong-event", "nonce-present", "no-sid-no-sub",
        "expired", "iat-in-future", "missing-jti", "wrong-typ", "not-a-jwt",
    };

    [Theory]
    [MemberData(nameof(InvalidLogoutTokens))]
    public async Task BackChannelLogout_InvalidToken_Returns400AndDeletesNothing(string variant)
    {
        await using var env = await SessionEnvironment.StartAsync();
        var sessionId = await env.LoginAsync();
        var now = env.Clock.GetUtcNow().ToUnixTimeSeconds();
        using var otherKey = RSA.Create(2048);
        var token = variant switch
        {
            "bad-signature" => env.Idp.CreateLogoutToken(key: otherKey),
            "wrong-aud" => env.Idp.CreateLogoutToken(p => p["aud"] = "another-client"),
            "wrong-iss" => env.Idp.CreateLogoutToken(p => p["iss"] = env.Idp.Issuer + "/"),
            "missing-events" => env.Idp.CreateLogoutToken(p => p.Remove("events")),
            "wrong-event" => env.Idp.CreateLogoutToken(p => p["events"] = new Dictionary<string, object> { ["urn:other"] = new Dictionary<string, object>() }),
            "nonce-present" => env.Idp.CreateLogoutToken(p => p["nonce"] = "n"),
            "no-sid-no-sub" => env.Idp.CreateLogoutToken(p =>
            {
                p.Remove("sid");
                p.Remove("sub");
            }),
            "expired" => env.Idp.CreateLogoutToken(p => p["exp"] = now - 120),
            "iat-in-future" => env.Idp.CreateLogoutToken(p => p["iat"] = now + 600),
            "missing-jti" => env.Idp.CreateLogoutToken(p => p.Remove("jti")),
            "wrong-typ" => env.Idp.CreateLogoutToken(typ: "JWT+other"),
            _ => "not-a-jwt",
        };

        using var response = await PostAsync(env, token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", await SessionEnvironment.ErrorCodeAsync(response));
        Assert.True(await env.SessionExistsAsync(sessionId));
    }

    [Fact]
    public async Task BackChannelLogout_ReplayedJti_Returns400()
    {
        await using var env = await SessionEnvironment.StartAsync();
        await env.LoginAsync();
        var token = env.Idp.CreateLogoutToken();

        using var first = await PostAsync(env, token);
        var sessionId = await env.LoginAsync();
        using var replay = await PostAsync(env, token);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal("invalid_request", await SessionEnvironment.ErrorCodeAsync(replay));
        Assert.True(await env.SessionExistsAsync(sessionId));
    }

    [Fact]
    public async Task BackChannelLogout_NotAForm_Returns400()
    {
        await using var env = await SessionEnvironment.StartAsync();

        using var response = await env.Gateway.PostAsync(
            "/bff/backchannel-logout", new StringContent("{\"logout_token\":\"x\"}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", await SessionEnvironment.ErrorCodeAsync(response));
    }

    private static Task<HttpResponseMessage> PostAsync(SessionEnvironment env, string logoutToken) =>
        env.Gateway.PostAsync("/bff/backchannel-logout", new FormUrlEncodedContent([new("logout_token", logoutToken)]));
}
