using System.Net;
using Reference.TestUtilities.Redis;
using static Reference.IdentityProvider.Tests.IdentityProviderFactory;
using static Reference.IdentityProvider.Tests.Validation.TokenExchange.TokenExchangeTestTokens;

namespace Reference.IdentityProvider.Tests.Validation.TokenExchange;

public sealed class TokenExchangeOutageTests
{
    [Fact]
    public async Task Exchange_RedisDown_Returns503TemporarilyUnavailableAndIssuesNothing()
    {
        await using var redis = await RedisTestServer.StartNewAsync(RedisTestServer.UnavailableReason(ServerKind.Redis) is null ? ServerKind.Redis : ServerKind.Garnet);
        var settings = DefaultSettings();
        settings["ConnectionStrings:cache"] = redis.ConnectionString;
        using var factory = Create(settings);
        var client = factory.CreateClient();
        var subject = await SignAsync(factory, UserClaims());
        await redis.KillAsync();

        // The Redis client measures its command timeout on the injected (fake) clock: move it until the call gives up.
        var exchange = ExchangeAsync(client, ExchangeClientId, ExchangeClientSecret, Form(subject));
        for (var i = 0; i < 600 && !exchange.IsCompleted; i++)
        {
            factory.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(exchange, Task.Delay(20));
        }

        var (response, json) = await exchange;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("temporarily_unavailable", json.GetProperty("error").GetString());
        Assert.False(json.TryGetProperty("access_token", out _));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }
}
