using Reference.Gateway.Authentication;
using Reference.Gateway.Authentication.Jwt;
using Reference.Gateway.Tests.Infrastructure;
using Reference.ServiceDefaults.Revocation;
using Reference.TestUtilities;

namespace Reference.Gateway.Tests.Authentication.Jwt;

public sealed class ValidatedTokenCacheTests : IAsyncLifetime, IDisposable
{
    private readonly StubIdentityProviderHandler _idp = new();
    private readonly FakeTimeProvider _time = new();
    private readonly JwksTestCaches _caches;
    private readonly JwtTokenValidator _validator;

    public ValidatedTokenCacheTests()
    {
        _idp.AddRsaKey("key-1");
        _caches = new JwksTestCaches(_idp, _time);
        _validator = new JwtTokenValidator(_caches.Registry, _caches.Options, _time);
    }

    public async Task InitializeAsync() => Assert.True(await _caches.Default.RefreshAsync(CancellationToken.None));

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Validate_SameTokenTwice_SecondAnsweredFromCache()
    {
        var token = Sign(Payload(_time.GetUtcNow()));

        var first = await _validator.ValidateAsync(token, CancellationToken.None);
        var second = await _validator.ValidateAsync(token, CancellationToken.None);

        Assert.Null(second.Failure);
        Assert.Same(first.Caller, second.Caller);
        Assert.Equal(1, _validator.Cache.Count);
    }

    [Theory]
    [InlineData(898, null)]
    [InlineData(899, null)]
    [InlineData(900, "token_expired")]
    [InlineData(3600, "token_expired")]
    public async Task Validate_CachedToken_NeverOutlivesExp(int secondsLater, string? expectedReason)
    {
        var token = Sign(Payload(_time.GetUtcNow()));
        Assert.Null((await _validator.ValidateAsync(token, CancellationToken.None)).Failure);
        _time.Advance(TimeSpan.FromSeconds(secondsLater));

        var result = await _validator.ValidateAsync(token, CancellationToken.None);

        Assert.Equal(expectedReason, result.Failure?.Reason);
        Assert.Equal(expectedReason is null ? 1 : 0, _validator.Cache.Count);
    }

    [Fact]
    public async Task Validate_KeySetRefreshedAfterCaching_TokenVerifiedAgain()
    {
        var token = Sign(Payload(_time.GetUtcNow()));
        var first = await _validator.ValidateAsync(token, CancellationToken.None);
        Assert.True(await _caches.Default.RefreshAsync(CancellationToken.None));

        var second = await _validator.ValidateAsync(token, CancellationToken.None);

        Assert.Null(second.Failure);
        Assert.NotSame(first.Caller, second.Caller);
        Assert.Same(second.Caller, (await _validator.ValidateAsync(token, CancellationToken.None)).Caller);
    }

    [Fact]
    public async Task Validate_RejectedToken_NotCached()
    {
        var payload = Payload(_time.GetUtcNow());
        payload["aud"] = "someone-else";
        var token = Sign(payload);

        await _validator.ValidateAsync(token, CancellationToken.None);
        var again = await _validator.ValidateAsync(token, CancellationToken.None);

        Assert.Equal("invalid_audience", again.Failure?.Reason);
        Assert.Equal(0, _validator.Cache.Count);
    }

    [Fact]
    public async Task Validate_CacheDisabled_EveryTokenVerified()
    {
        using var caches = new JwksTestCaches(_idp, _time, o => o.ValidatedTokenCacheSize = 0);
        var validator = new JwtTokenValidator(caches.Registry, caches.Options, _time);
        Assert.True(await caches.Default.RefreshAsync(CancellationToken.None));
        var token = Sign(Payload(_time.GetUtcNow()));

        var first = await validator.ValidateAsync(token, CancellationToken.None);
        var second = await validator.ValidateAsync(token, CancellationToken.None);

        Assert.Null(second.Failure);
        Assert.NotSame(first.Caller, second.Caller);
        Assert.Equal(0, validator.Cache.Count);
    }

    [Fact]
    public void Set_Full_EvictsLeastRecentlyUsedFirst()
    {
        var cache = new ValidatedTokenCache(capacity: 10);
        var now = _time.GetUtcNow();
        var digests = Enumerable.Range(0, 10).Select(i => TokenDigest.Of("token-" + i)).ToArray();
        foreach (var digest in digests)
        {
            cache.Set(digest, Entry(now, "s"), now);
        }

        // Touch the first five: the untouched 5..9 are now the least recently used.
        foreach (var digest in digests[..5])
        {
            Assert.NotNull(cache.Get(digest, now));
        }

        cache.Set(TokenDigest.Of("token-new"), Entry(now, "s"), now);

        Assert.True(cache.Count <= 10);
        Assert.All(digests[..5], d => Assert.NotNull(cache.Get(d, now)));
        Assert.Null(cache.Get(digests[5], now));
        Assert.NotNull(cache.Get(TokenDigest.Of("token-new"), now));
    }

    [Fact]
    public void Set_Full_DropsExpiredEntriesBeforeLiveOnes()
    {
        var cache = new ValidatedTokenCache(capacity: 4);
        var now = _time.GetUtcNow();
        cache.Set(TokenDigest.Of("short-1"), Entry(now, "s", lifetime: TimeSpan.FromSeconds(10)), now);
        cache.Set(TokenDigest.Of("long-1"), Entry(now, "s"), now);
        cache.Set(TokenDigest.Of("short-2"), Entry(now, "s", lifetime: TimeSpan.FromSeconds(10)), now);
        cache.Set(TokenDigest.Of("long-2"), Entry(now, "s"), now);
        var later = now.AddSeconds(20);

        cache.Set(TokenDigest.Of("long-3"), Entry(later, "s"), later);

        Assert.Equal(3, cache.Count);
        Assert.NotNull(cache.Get(TokenDigest.Of("long-1"), later));
        Assert.NotNull(cache.Get(TokenDigest.Of("long-2"), later));
    }

    [Fact]
    public void RemoveWhere_BySessionOrTokenId_EvictsOnlyMatches()
    {
        var cache = new ValidatedTokenCache(capacity: 100);
        var now = _time.GetUtcNow();
        cache.Set(TokenDigest.Of("a"), Entry(now, "alice", sid: "sid-1", jti: "jti-1"), now);
        cache.Set(TokenDigest.Of("b"), Entry(now, "alice", sid: "sid-2", jti: "jti-2"), now);
        cache.Set(TokenDigest.Of("c"), Entry(now, "bob", sid: "sid-3", jti: "jti-3"), now);

        Assert.Equal(1, cache.RemoveWhere(e => e.Caller.SessionId == "sid-1"));
        Assert.Equal(1, cache.RemoveWhere(e => e.TokenId == "jti-3"));

        Assert.Null(cache.Get(TokenDigest.Of("a"), now));
        Assert.NotNull(cache.Get(TokenDigest.Of("b"), now));
        Assert.Null(cache.Get(TokenDigest.Of("c"), now));
    }

    [Theory]
    [InlineData(RevocationKind.TokenId, "jti-1", new[] { "a" })]
    [InlineData(RevocationKind.Session, "sid-2", new[] { "b" })]
    [InlineData(RevocationKind.Subject, "alice", new[] { "a", "b" })]
    [InlineData(RevocationKind.TokenId, "unknown", new string[0])]
    public void OnRevoked_Revocation_EvictsExactlyTheTokensItNames(RevocationKind kind, string value, string[] evicted)
    {
        var cache = new ValidatedTokenCache(capacity: 100);
        var now = _time.GetUtcNow();
        cache.Set(TokenDigest.Of("a"), Entry(now, "alice", sid: "sid-1", jti: "jti-1"), now);
        cache.Set(TokenDigest.Of("b"), Entry(now, "alice", sid: "sid-2", jti: "jti-2"), now);
        cache.Set(TokenDigest.Of("c"), Entry(now, "bob", sid: "sid-3", jti: "jti-3"), now);

        var count = cache.OnRevoked(new RevocationEntry(kind, value, now.AddMinutes(15), now.AddSeconds(1)));

        Assert.Equal(evicted.Length, count);
        foreach (var token in new[] { "a", "b", "c" })
        {
            Assert.Equal(evicted.Contains(token), cache.Get(TokenDigest.Of(token), now) is null);
        }
    }

    [Fact]
    public void Digest_DifferentTokens_DifferentKeys()
    {
        Assert.Equal(TokenDigest.Of("abc"), TokenDigest.Of("abc"));
        Assert.NotEqual(TokenDigest.Of("abc"), TokenDigest.Of("abd"));
        Assert.Equal(TokenDigest.Of(new string('x', 9000)), TokenDigest.Of(new string('x', 9000)));
    }

    public void Dispose()
    {
        _caches.Dispose();
        _idp.Dispose();
    }

    private ValidatedToken Entry(DateTimeOffset now, string subject, string? sid = null, string? jti = null, TimeSpan? lifetime = null) => new(
        new AuthenticatedCaller(subject, "client", ["orders.read"], null, StubIdentityProviderHandler.Issuer, now + (lifetime ?? TimeSpan.FromMinutes(15)), "hash")
        {
            SessionId = sid,
            TokenId = jti,
        },
        jti,
        _caches.Default,
        0);

    private static Dictionary<string, object?> Payload(DateTimeOffset now) => new()
    {
        ["iss"] = StubIdentityProviderHandler.Issuer,
        ["sub"] = "svc",
        ["aud"] = "reference-api",
        ["client_id"] = "client-9",
        ["scope"] = "orders.read",
        ["iat"] = now.ToUnixTimeSeconds(),
        ["nbf"] = now.ToUnixTimeSeconds(),
        ["exp"] = now.AddMinutes(15).ToUnixTimeSeconds(),
        ["jti"] = Guid.NewGuid().ToString("N"),
    };

    private static string Sign(Dictionary<string, object?> payload)
    {
        var header = new Dictionary<string, object?> { ["alg"] = "RS256", ["typ"] = "at+jwt", ["kid"] = "key-1" };
        return Jws.SignRsa(Jws.SigningInput(Jws.Json(header), Jws.Json(payload)), StubIdentityProviderHandler.SigningKey);
    }
}
