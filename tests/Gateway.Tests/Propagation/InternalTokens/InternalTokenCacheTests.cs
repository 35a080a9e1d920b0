using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Reference.Gateway.Authentication;
using Reference.Gateway.Propagation.InternalTokens;
using Reference.Gateway.Tests.Infrastructure;
using Reference.TestUtilities;

namespace Reference.Gateway.Tests.Propagation.InternalTokens;

public sealed class InternalTokenCacheTests : IDisposable
{
    private static readonly string[] ReadScope = ["orders.read"];

    private readonly FakeTimeProvider _time = new();
    private readonly InternalSigningKey _key = new(ECDsa.Create(ECCurve.NamedCurves.nistP256));
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MetricRecorder _metrics;

    public InternalTokenCacheTests() => _metrics = new MetricRecorder(_services.GetRequiredService<IMeterFactory>());

    private long Signatures => _metrics.Count(GatewayTelemetry.InternalTokensMintedMetric, null!);

    [Fact]
    public void GetOrMint_ManyRequestsSameToken_SignsOnce()
    {
        var cache = CreateCache();
        var caller = Caller("hash-1", _time.GetUtcNow().AddHours(1));

        var tokens = Enumerable.Range(0, 50).Select(i => cache.GetOrMint(caller, "orders-api", ReadScope, $"req-{i}")).ToList();

        Assert.Single(tokens.Distinct());
        Assert.Equal(1, Signatures);
    }

    [Fact]
    public void GetOrMint_DifferentTokenAudienceOrScopes_MintsSeparately()
    {
        var cache = CreateCache();
        var expires = _time.GetUtcNow().AddHours(1);

        var a = cache.GetOrMint(Caller("hash-1", expires), "orders-api", ReadScope, "r");
        var b = cache.GetOrMint(Caller("hash-2", expires), "orders-api", ReadScope, "r");
        var c = cache.GetOrMint(Caller("hash-1", expires), "inventory-api", ReadScope, "r");
        var d = cache.GetOrMint(Caller("hash-1", expires), "orders-api", ["orders.read", "orders.write"], "r");

        Assert.Equal(4, new[] { a, b, c, d }.Distinct().Count());
        Assert.Equal(4, Signatures);
    }

    [Fact]
    public void GetOrMint_CloseToExpiry_MintsAFreshToken()
    {
        var cache = CreateCache();
        var caller = Caller("hash-1", _time.GetUtcNow().AddHours(1));
        var first = cache.GetOrMint(caller, "orders-api", ReadScope, "r");

        _time.Advance(TimeSpan.FromMinutes(4) + TimeSpan.FromSeconds(29));
        var reused = cache.GetOrMint(caller, "orders-api", ReadScope, "r");
        _time.Advance(TimeSpan.FromSeconds(2));
        var renewed = cache.GetOrMint(caller, "orders-api", ReadScope, "r");

        Assert.Equal(first, reused);
        Assert.NotEqual(first, renewed);
        Assert.True(new JsonWebToken(renewed).ValidTo > _time.GetUtcNow().UtcDateTime.AddSeconds(30));
        Assert.Equal(2, Signatures);
    }

    [Fact]
    public void GetOrMint_OriginalExpiresSoon_NeverReusedPastOriginalExpiry()
    {
        var cache = CreateCache();
        var originalExpiry = _time.GetUtcNow().AddSeconds(20);
        var caller = Caller("hash-1", originalExpiry);

        var first = cache.GetOrMint(caller, "orders-api", ReadScope, "r");
        var second = cache.GetOrMint(caller, "orders-api", ReadScope, "r");

        Assert.NotEqual(first, second);
        Assert.True(new JsonWebToken(first).ValidTo <= originalExpiry.UtcDateTime);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void GetOrMint_Full_StaysBounded()
    {
        var cache = CreateCache(maxEntries: 10);
        var expires = _time.GetUtcNow().AddHours(1);

        for (var i = 0; i < 35; i++)
        {
            cache.GetOrMint(Caller($"hash-{i}", expires), "orders-api", ReadScope, "r");
        }

        Assert.InRange(cache.Count, 1, 10);
    }

    public void Dispose()
    {
        _metrics.Dispose();
        _key.Dispose();
        _services.Dispose();
    }

    private InternalTokenCache CreateCache(int maxEntries = 100)
    {
        var options = Options.Create(new InternalTokenOptions { MintCacheMaxEntries = maxEntries });
        var issuer = new InternalTokenIssuer(InternalSigningKeyRing.Fixed(_key, _time), options, _time, new GatewayTelemetry(_services.GetRequiredService<IMeterFactory>()));
        return new InternalTokenCache(issuer, options, _time);
    }

    private static AuthenticatedCaller Caller(string tokenHash, DateTimeOffset expiresAt) =>
        new("user-1", "client-1", ["orders.read", "orders.write"], "tenant-a", "https://idp.test", expiresAt, tokenHash);
}
