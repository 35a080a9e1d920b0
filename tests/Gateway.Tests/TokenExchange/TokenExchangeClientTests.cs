using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Reference.Gateway.Tests.Infrastructure;
using Reference.Gateway.TokenExchange;
using Reference.TestUtilities;

namespace Reference.Gateway.Tests.TokenExchange;

/// <summary>The exchange client on a fake clock: cache lifetime and breaker recovery without a restart.</summary>
public sealed class TokenExchangeClientTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddHttpClient().BuildServiceProvider();

    private FakeTokenExchangeEndpoint Idp { get; } = new();

    public Task InitializeAsync() => Idp.StartAsync();

    [Fact]
    public async Task Exchange_CachedToken_RenewedThirtySecondsBeforeExpiry()
    {
        var client = CreateClient();
        var subjectExpiry = _time.GetUtcNow().AddHours(1);

        var first = await client.ExchangeAsync("subject-1", subjectExpiry, "orders-api", "orders.read", default);
        _time.Advance(TimeSpan.FromSeconds(269));
        var reused = await client.ExchangeAsync("subject-1", subjectExpiry, "orders-api", "orders.read", default);
        _time.Advance(TimeSpan.FromSeconds(2));
        var renewed = await client.ExchangeAsync("subject-1", subjectExpiry, "orders-api", "orders.read", default);

        Assert.Equal(first, reused);
        Assert.NotEqual(first, renewed);
        Assert.Equal(2, Idp.Calls);
    }

    [Fact]
    public async Task Exchange_SubjectExpiresSoon_NotCachedPastIt()
    {
        var client = CreateClient();
        var subjectExpiry = _time.GetUtcNow().AddSeconds(20);

        await client.ExchangeAsync("subject-1", subjectExpiry, "orders-api", "orders.read", default);
        await client.ExchangeAsync("subject-1", subjectExpiry, "orders-api", "orders.read", default);

        Assert.Equal(2, Idp.Calls);
    }

    [Fact]
    public async Task Exchange_IdpDownThenBack_BreakerOpensThenRecoversWithoutRestart()
    {
        var client = CreateClient();
        var subjectExpiry = _time.GetUtcNow().AddHours(1);
        Idp.Failing = true;
        for (var i = 0; i < 5; i++)
        {
            await Assert.ThrowsAsync<TokenExchangeUnavailableException>(
                () => client.ExchangeAsync($"subject-{i}", subjectExpiry, "orders-api", "orders.read", default));
        }

        var open = await Assert.ThrowsAsync<TokenExchangeUnavailableException>(
            () => client.ExchangeAsync("subject-x", subjectExpiry, "orders-api", "orders.read", default));
        Assert.Equal(5, Idp.Calls);
        Assert.True(open.RetryAfter > TimeSpan.Zero);

        Idp.Failing = false;
        _time.Advance(TimeSpan.FromSeconds(31));
        var token = await client.ExchangeAsync("subject-x", subjectExpiry, "orders-api", "orders.read", default);

        Assert.StartsWith("exchanged-", token, StringComparison.Ordinal);
        Assert.Equal(6, Idp.Calls);
    }

    public async Task DisposeAsync()
    {
        await Idp.DisposeAsync();
        await _services.DisposeAsync();
    }

    private TokenExchangeClient CreateClient() => new(
        _services.GetRequiredService<IHttpClientFactory>(),
        Options.Create(new TokenExchangeOptions
        {
            MetadataAddress = new Uri(Idp.MetadataAddress),
            ClientId = FakeTokenExchangeEndpoint.ClientId,
            ClientSecret = FakeTokenExchangeEndpoint.ClientSecret,
        }),
        _time,
        NullLogger<TokenExchangeClient>.Instance);
}
