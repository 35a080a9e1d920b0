using System.Net;
using Reference.IdentityProvider.RateLimiting;
using static Reference.IdentityProvider.Tests.IdentityProviderFactory;
using static Reference.IdentityProvider.Tests.TokenRequests;

namespace Reference.IdentityProvider.Tests.RateLimiting;

public sealed class TokenRateLimitTests
{
    [Fact]
    public async Task Token_RequestsBeyondThePerClientBurst_Get429SlowDownWithRetryAfter()
    {
        using var factory = Create(LoginRateLimitTests.Limits(("TokenPerClient", 1, 2)));
        using var client = factory.CreateClient();
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 3; i++)
        {
            last?.Dispose();
            last = await client.SendAsync(Post([P("grant_type", "client_credentials")], TestClientId, TestClientSecret));
            statuses.Add(last.StatusCode);
        }

        using var limited = last!;
        var json = await ReadJsonAsync(limited);
        using var otherClient = await client.SendAsync(Post([P("grant_type", "client_credentials")], EsClientId, EsClientSecret));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(TokenRateLimitedResult.Error, json.GetProperty("error").GetString());
        Assert.Equal(TimeSpan.FromSeconds(60), limited.Headers.RetryAfter?.Delta);
        Assert.True(limited.Headers.CacheControl?.NoStore);
        Assert.Equal(HttpStatusCode.OK, otherClient.StatusCode);
    }

    [Fact]
    public async Task Token_FailedClientAuthentication_DoesNotSpendTheClientsBudget()
    {
        using var factory = Create(LoginRateLimitTests.Limits(("TokenPerClient", 1, 1)));
        using var client = factory.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            using var wrong = await client.SendAsync(Post([P("grant_type", "client_credentials")], TestClientId, "not-the-secret"));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var genuine = await client.SendAsync(Post([P("grant_type", "client_credentials")], TestClientId, TestClientSecret));

        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
    }
}
