using Microsoft.Extensions.DependencyInjection;
using Reference.IdentityProvider.Stores.AuthorizationCodes;

namespace Reference.IdentityProvider.Tests.Stores;

public sealed class RedisAuthorizationCodeStoreTests : IDisposable
{
    private readonly IdentityProviderFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Redeem_FirstTime_ReturnsTheCode()
    {
        var store = Store();
        var handle = await store.CreateAsync(NewCode(), CancellationToken.None);

        var redemption = await store.RedeemAsync(handle, CancellationToken.None);

        Assert.Equal(AuthorizationCodeRedemptionStatus.Redeemed, redemption.Status);
        Assert.Equal("alice", redemption.Code!.SubjectId);
        Assert.Equal(["openid", "orders.read"], redemption.Code.Scopes);
    }

    [Fact]
    public async Task Redeem_SecondTime_ReportsReplayWithTheOriginal()
    {
        var store = Store();
        var handle = await store.CreateAsync(NewCode(), CancellationToken.None);
        await store.RedeemAsync(handle, CancellationToken.None);

        var replay = await store.RedeemAsync(handle, CancellationToken.None);

        Assert.Equal(AuthorizationCodeRedemptionStatus.Replayed, replay.Status);
        Assert.Equal("sid-1", replay.Code!.SessionId);
    }

    [Theory]
    [InlineData("")]
    [InlineData("unknown-handle")]
    public async Task Redeem_UnknownHandle_ReturnsNotFound(string handle)
    {
        var redemption = await Store().RedeemAsync(handle, CancellationToken.None);

        Assert.Equal(AuthorizationCodeRedemptionStatus.NotFound, redemption.Status);
        Assert.Null(redemption.Code);
    }

    [Fact]
    public async Task Redeem_ConcurrentAttempts_ExactlyOneSucceeds()
    {
        var store = Store();
        var handle = await store.CreateAsync(NewCode(), CancellationToken.None);

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => store.RedeemAsync(handle, CancellationToken.None).AsTask()));

        Assert.Single(results, r => r.Status == AuthorizationCodeRedemptionStatus.Redeemed);
        Assert.Equal(15, results.Count(r => r.Status == AuthorizationCodeRedemptionStatus.Replayed));
    }

    [Fact]
    public async Task Create_TwoCodes_GetDistinctHandles()
    {
        var store = Store();

        var first = await store.CreateAsync(NewCode(), CancellationToken.None);
        var second = await store.CreateAsync(NewCode(), CancellationToken.None);

        Assert.NotEqual(first, second);
        Assert.Equal(43, first.Length);
    }

    private IAuthorizationCodeStore Store() => _factory.Services.GetRequiredService<IAuthorizationCodeStore>();

    private AuthorizationCode NewCode()
    {
        var now = _factory.Time.GetUtcNow();
        return new AuthorizationCode("test-client", "https://app.example/callback", "challenge", ["openid", "orders.read"], "alice", "sid-1", "n-1", now, now, now.AddSeconds(60));
    }
}
