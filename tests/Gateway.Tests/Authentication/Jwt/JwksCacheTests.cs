using System.Net;
using Reference.Gateway.Authentication.Jwt;
using Reference.Gateway.Tests.Infrastructure;
using Reference.TestUtilities;

namespace Reference.Gateway.Tests.Authentication.Jwt;

public sealed class JwksCacheTests : IDisposable
{
    private readonly StubIdentityProviderHandler _idp = new();
    private readonly FakeTimeProvider _time = new();
    private readonly JwksTestCaches _caches;
    private readonly JwksCache _cache;

    public JwksCacheTests()
    {
        _idp.AddRsaKey("key-1");
        _caches = new JwksTestCaches(_idp, _time);
        _cache = _caches.Default;
    }

    [Fact]
    public async Task GetSigningKey_KnownKid_NeverFetchesPerRequest()
    {
        Assert.True(await _cache.RefreshAsync(CancellationToken.None));

        for (var i = 0; i < 50; i++)
        {
            var lookup = await _cache.GetSigningKeyAsync("key-1", CancellationToken.None);
            Assert.Equal(JwksLookupStatus.Found, lookup.Status);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(1, _idp.JwksRequests);
    }

    [Fact]
    public async Task GetSigningKey_UnknownKid_RefreshesAtMostOncePerInterval()
    {
        await _cache.RefreshAsync(CancellationToken.None);

        var first = await _cache.GetSigningKeyAsync("nope-1", CancellationToken.None);
        Assert.Equal(JwksLookupStatus.UnknownKey, first.Status);
        Assert.Equal(2, _idp.JwksRequests);

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(JwksLookupStatus.UnknownKey, (await _cache.GetSigningKeyAsync($"storm-{i}", CancellationToken.None)).Status);
        }

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(JwksLookupStatus.UnknownKey, (await _cache.GetSigningKeyAsync("nope-2", CancellationToken.None)).Status);
        Assert.Equal(2, _idp.JwksRequests);

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(JwksLookupStatus.UnknownKey, (await _cache.GetSigningKeyAsync("nope-3", CancellationToken.None)).Status);
        Assert.Equal(3, _idp.JwksRequests);
    }

    [Fact]
    public async Task GetSigningKey_RotatedKey_FoundAfterOneRefresh()
    {
        await _cache.RefreshAsync(CancellationToken.None);
        _idp.AddRsaKey("key-2");

        var lookup = await _cache.GetSigningKeyAsync("key-2", CancellationToken.None);

        Assert.Equal(JwksLookupStatus.Found, lookup.Status);
        Assert.Equal("key-2", lookup.Key!.Kid);
        Assert.Equal(2, _idp.JwksRequests);
    }

    [Fact]
    public async Task GetSigningKey_ConcurrentUnknownKids_CoalesceIntoOneFetch()
    {
        await _cache.RefreshAsync(CancellationToken.None);
        _idp.AddRsaKey("key-2");
        _idp.Hold();

        var lookups = Enumerable.Range(0, 40)
            .Select(i => _cache.GetSigningKeyAsync(i % 2 == 0 ? "key-2" : $"unknown-{i}", CancellationToken.None).AsTask())
            .ToArray();
        await _idp.WaitForJwksRequestsAsync(2);
        _idp.Release();
        var results = await Task.WhenAll(lookups);

        Assert.Equal(2, _idp.JwksRequests);
        Assert.All(results.Where((_, i) => i % 2 == 0), r => Assert.Equal(JwksLookupStatus.Found, r.Status));
        Assert.All(results.Where((_, i) => i % 2 == 1), r => Assert.Equal(JwksLookupStatus.UnknownKey, r.Status));
    }

    [Fact]
    public async Task GetSigningKey_CacheDurationPassed_RefreshesInBackgroundAndServesCurrentKeys()
    {
        await _cache.RefreshAsync(CancellationToken.None);
        _idp.Hold();
        _time.Advance(TimeSpan.FromMinutes(5));

        var lookup = await _cache.GetSigningKeyAsync("key-1", CancellationToken.None);

        Assert.Equal(JwksLookupStatus.Found, lookup.Status);
        await _idp.WaitForJwksRequestsAsync(2);
        _idp.Release();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (_cache.KeysFetchedAt != _time.GetUtcNow())
        {
            await Task.Delay(10, timeout.Token);
        }

        Assert.Equal(JwksLookupStatus.Found, (await _cache.GetSigningKeyAsync("key-1", CancellationToken.None)).Status);
        Assert.Equal(2, _idp.JwksRequests);
    }

    [Fact]
    public async Task GetSigningKey_RefreshFails_LastGoodKeysStayInUse()
    {
        await _cache.RefreshAsync(CancellationToken.None);
        _idp.JwksStatus = HttpStatusCode.InternalServerError;
        _time.Advance(TimeSpan.FromMinutes(6));

        Assert.False(await _cache.RefreshAsync(CancellationToken.None));
        var lookup = await _cache.GetSigningKeyAsync("key-1", CancellationToken.None);

        Assert.Equal(JwksLookupStatus.Found, lookup.Status);
        Assert.True(_cache.HasKeys);
    }

    [Fact]
    public async Task RefreshAsync_DiscoveryIssuerMismatch_LoadsNoKeys()
    {
        _idp.DiscoveryIssuer = "https://idp.test/";

        Assert.False(await _cache.RefreshAsync(CancellationToken.None));

        Assert.False(_cache.HasKeys);
        Assert.Equal(0, _idp.JwksRequests);
        Assert.Equal(JwksLookupStatus.KeysUnavailable, (await _cache.GetSigningKeyAsync("key-1", CancellationToken.None)).Status);
    }

    [Fact]
    public async Task RefreshAsync_DuplicateKid_BothKeysIgnored()
    {
        _idp.AddRsaKey("key-1");
        _idp.AddRsaKey("key-3");

        Assert.True(await _cache.RefreshAsync(CancellationToken.None));

        Assert.Equal(JwksLookupStatus.Found, (await _cache.GetSigningKeyAsync("key-3", CancellationToken.None)).Status);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(JwksLookupStatus.UnknownKey, (await _cache.GetSigningKeyAsync("key-1", CancellationToken.None)).Status);
    }

    [Theory]
    [InlineData(null, 300)]
    [InlineData(600, 600)]
    [InlineData(5, 60)]
    [InlineData(864000, 86400)]
    public async Task Refresh_LifetimeFromMaxAgeWithinBounds_ScheduledAt75Percent(int? maxAgeSeconds, int expectedLifetimeSeconds)
    {
        _idp.MaxAge = maxAgeSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null;

        Assert.True(await _cache.RefreshAsync(CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(expectedLifetimeSeconds), _cache.KeysExpireAt - _cache.KeysFetchedAt);
        var refreshAt = TimeSpan.FromSeconds(expectedLifetimeSeconds * 0.75);
        _time.Advance(refreshAt - TimeSpan.FromSeconds(1));
        Assert.Equal(1, _idp.JwksRequests);
        _time.Advance(TimeSpan.FromSeconds(1));
        await _idp.WaitForJwksRequestsAsync(2);
    }

    [Fact]
    public async Task Refresh_GarbageBody_LoadsNoKeys()
    {
        _idp.Garbage = true;

        Assert.False(await _cache.RefreshAsync(CancellationToken.None));

        Assert.Equal(JwksCacheState.Empty, _cache.State);
    }

    [Fact]
    public async Task Refresh_Hangs_TimesOutOnTheInjectedClock()
    {
        _idp.Hold();
        var refresh = _cache.RefreshAsync(CancellationToken.None);
        await _idp.WaitForJwksRequestsAsync(1);

        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.False(await refresh.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(_cache.HasKeys);
        _idp.Release();
    }

    [Fact]
    public async Task RefreshFailing_FreshThenStaleThenExpired_FailsClosedPastMaxStaleAge()
    {
        await _cache.RefreshAsync(CancellationToken.None);
        _idp.JwksStatus = HttpStatusCode.InternalServerError;

        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(JwksCacheState.Fresh, _cache.State);
        Assert.Equal(TimeSpan.Zero, _cache.Staleness);

        _time.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(JwksCacheState.Stale, _cache.State);
        Assert.Equal(TimeSpan.FromMinutes(30), _cache.Staleness);
        Assert.Equal(JwksLookupStatus.Found, (await _cache.GetSigningKeyAsync("key-1", CancellationToken.None)).Status);

        _time.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(JwksCacheState.Expired, _cache.State);
        Assert.Equal(JwksLookupStatus.KeysUnavailable, (await _cache.GetSigningKeyAsync("key-1", CancellationToken.None)).Status);

        // The lookup above (and the refresh timer) started a background fetch against the failing IdP; let it
        // finish before the IdP recovers, or the refresh below would join it and report its failure.
        Assert.False(await _cache.RefreshAsync(CancellationToken.None));
        _idp.JwksStatus = HttpStatusCode.OK;
        Assert.True(await _cache.RefreshAsync(CancellationToken.None));
        Assert.Equal(JwksCacheState.Fresh, _cache.State);
        Assert.Equal(JwksLookupStatus.Found, (await _cache.GetSigningKeyAsync("key-1", CancellationToken.None)).Status);
    }

    [Fact]
    public async Task ConcurrentRefreshes_CoalesceIntoOneFetch()
    {
        _idp.Hold();

        var refreshes = Enumerable.Range(0, 20).Select(_ => _cache.RefreshAsync(CancellationToken.None)).ToArray();
        await _idp.WaitForJwksRequestsAsync(1);
        _idp.Release();

        Assert.All(await Task.WhenAll(refreshes), Assert.True);
        Assert.Equal(1, _idp.JwksRequests);
    }

    public void Dispose()
    {
        _caches.Dispose();
        _idp.Dispose();
    }
}
