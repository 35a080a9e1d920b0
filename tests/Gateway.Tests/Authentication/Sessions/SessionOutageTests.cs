using System.Net;
using System.Net.Http.Headers;
using Reference.TestUtilities.Redis;

namespace Reference.Gateway.Tests.Authentication.Sessions;

public sealed class SessionOutageTests
{
    [Fact]
    public async Task RedisDown_SessionRequestsFailClosedWhileBearerAndAnonymousRoutesWork()
    {
        // A private server this test may kill: redis-server when installed, else Garnet (as the shared server does).
        var kind = RedisTestServer.UnavailableReason(ServerKind.Redis) is null ? ServerKind.Redis : ServerKind.Garnet;
        Assert.Null(RedisTestServer.UnavailableReason(kind));
        await using var redis = await RedisTestServer.StartNewAsync(kind);
        await using var env = await SessionEnvironment.StartAsync(redis);
        var sessionId = await env.LoginAsync();
        var accessToken = env.Idp.CreateAccessToken();
        await redis.KillAsync();

        using var session = await env.SendAsync(HttpMethod.Get, "/test/session/orders/1", sessionId);
        using var user = await env.SendAsync(HttpMethod.Get, "/bff/user", sessionId);
        using var login = await env.SendAsync(HttpMethod.Get, "/bff/login", null);
        using var bearer = await env.SendAsync(HttpMethod.Get, "/api/orders/1", null, r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken));
        using var anonymous = await env.SendAsync(HttpMethod.Get, "/api/public/ping", null);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, session.StatusCode);
        Assert.Equal("temporarily_unavailable", await SessionEnvironment.ErrorCodeAsync(session));
        Assert.Empty(env.Forwarded);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, user.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, login.StatusCode);
        Assert.Null(login.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, bearer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.Equal(2, env.Orders.Requests.Count);
    }

    [Fact]
    public async Task RedisBack_SessionsRecoverWithoutARestart()
    {
        var kind = RedisTestServer.UnavailableReason(ServerKind.Redis) is null ? ServerKind.Redis : ServerKind.Garnet;
        await using var redis = await RedisTestServer.StartNewAsync(kind);
        await using var env = await SessionEnvironment.StartAsync(redis);
        await redis.KillAsync();
        using var duringOutage = await env.SendAsync(HttpMethod.Get, "/bff/login", null);
        await redis.StartAsync();

        // Real time: the Redis client reconnects on its own schedule.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        HttpStatusCode status;
        do
        {
            using var attempt = await env.SendAsync(HttpMethod.Get, "/bff/login", null);
            status = attempt.StatusCode;
        }
        while (status != HttpStatusCode.Redirect && DateTime.UtcNow < deadline && await Delay());
        var sessionId = await env.LoginAsync();
        using var session = await env.SendAsync(HttpMethod.Get, "/test/session/orders/1", sessionId);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, duringOutage.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, status);
        Assert.Equal(HttpStatusCode.OK, session.StatusCode);
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(100);
        return true;
    }
}
