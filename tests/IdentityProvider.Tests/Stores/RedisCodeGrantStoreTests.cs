using Microsoft.Extensions.DependencyInjection;
using Reference.IdentityProvider.Stores;
using Reference.IdentityProvider.Stores.AuthorizationCodes;
using Reference.IdentityProvider.Stores.RefreshTokens;
using Reference.Redis;

namespace Reference.IdentityProvider.Tests.Stores;

public sealed class RedisCodeGrantStoreTests(LifecycleHost host) : IClassFixture<LifecycleHost>
{
    [Fact]
    public async Task Record_AfterAReplayTombstonedTheCode_ReturnsFalse()
    {
        var store = host.Services.GetRequiredService<RedisCodeGrantStore>();
        var codeHash = TokenHandles.Hash(TokenHandles.New());

        Assert.Null(await store.RevokeAsync(codeHash, CancellationToken.None));

        Assert.False(await store.RecordAsync(codeHash, Grant(), CancellationToken.None));
    }

    [Fact]
    public async Task Revoke_AfterRecord_ReturnsWhatWasIssuedOnce()
    {
        var store = host.Services.GetRequiredService<RedisCodeGrantStore>();
        var codeHash = TokenHandles.Hash(TokenHandles.New());
        Assert.True(await store.RecordAsync(codeHash, Grant(), CancellationToken.None));

        var first = await store.RevokeAsync(codeHash, CancellationToken.None);
        var second = await store.RevokeAsync(codeHash, CancellationToken.None);

        Assert.Equal("family-1", first!.RefreshTokenFamilyId);
        Assert.Equal("jti-1", Assert.Single(first.AccessTokens).TokenId);
        Assert.Null(second);
    }

    [Fact]
    public async Task RefreshTokens_AreKeyedByHashUnderThePrefix()
    {
        var store = host.Services.GetRequiredService<RedisRefreshTokenStore>();
        var now = host.Time.GetUtcNow();
        var token = new RefreshToken(RedisRefreshTokenStore.NewFamilyId(), "code-client", "alice", "sid-1", ["openid"], now, now, now.AddHours(1), now.AddHours(2));

        var handle = await store.CreateAsync(token, "jti-1", now.AddMinutes(10), CancellationToken.None);

        var redis = host.Services.GetRequiredService<RedisClient>();
        Assert.True(await redis.ExistsAsync(host.Factory.KeyPrefix + "rt:" + TokenHandles.Hash(handle)));
        Assert.False(await redis.ExistsAsync(host.Factory.KeyPrefix + "rt:" + handle));
        var found = await store.FindAsync(handle, CancellationToken.None);
        Assert.Equal(token with { Scopes = found!.Token.Scopes }, found.Token);
        Assert.Equal(["openid"], found.Token.Scopes);
        Assert.False(found.Used);
    }

    private CodeGrant Grant() =>
        new("code-client", "family-1", host.Time.GetUtcNow().AddHours(1), [new IssuedAccessToken("jti-1", host.Time.GetUtcNow().AddMinutes(10))]);
}
