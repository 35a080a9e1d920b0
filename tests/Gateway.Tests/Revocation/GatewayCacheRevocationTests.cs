using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Reference.Gateway.Authentication;
using Reference.Gateway.Authentication.Introspection;
using Reference.Gateway.Propagation.InternalTokens;
using Reference.Gateway.TokenExchange;
using Reference.ServiceDefaults.Revocation;
using Reference.TestUtilities;

namespace Reference.Gateway.Tests.Revocation;

/// <summary>Each gateway cache evicts what a revocation names, and only that (fake clock).</summary>
public sealed class GatewayCacheRevocationTests : IDisposable
{
    private static readonly string[] ReadScope = ["orders.read"];

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly InternalSigningKey _key = new(ECDsa.Create(ECCurve.NamedCurves.nistP256));
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public static TheoryData<RevocationKind, string, bool> Revocations => new()
    {
        { RevocationKind.TokenId, "jti-1", true },
        { RevocationKind.TokenId, "jti-2", false },
        { RevocationKind.Session, "sid-1", true },
        { RevocationKind.Session, "sid-2", false },
        { RevocationKind.Subject, "alice", true },
        { RevocationKind.Subject, "bob", false },
        { RevocationKind.Family, "jti-1", false },
    };

    [Theory]
    [MemberData(nameof(Revocations))]
    public void IntrospectionCache_Revocation_EvictsTheResultsItNames(RevocationKind kind, string value, bool evicted)
    {
        var cache = new IntrospectionCache(Options.Create(new IntrospectionOptions { ClientSecret = "x" }), _time);
        cache.Set("key-1", new IntrospectionResult(Caller(), null));
        cache.Set("key-other", new IntrospectionResult(Caller() with { Subject = "carol", TokenId = "jti-9", SessionId = "sid-9" }, null));

        var count = cache.OnRevoked(Revocation(kind, value));

        Assert.Equal(evicted ? 1 : 0, count);
        Assert.Equal(evicted, cache.GetFresh("key-1") is null);
        Assert.Null(cache.GetForFallback(evicted ? "key-1" : "none"));
        Assert.NotNull(cache.GetFresh("key-other"));
    }

    [Theory]
    [MemberData(nameof(Revocations))]
    public void InternalTokenCache_Revocation_EvictsTheTokensMintedFromIt(RevocationKind kind, string value, bool evicted)
    {
        var cache = CreateMintCache(out _);
        var first = cache.GetOrMint(Caller(), "orders-api", ReadScope, "r1");

        var count = cache.OnRevoked(Revocation(kind, value));
        var next = cache.GetOrMint(Caller(), "orders-api", ReadScope, "r2");

        Assert.Equal(evicted ? 1 : 0, count);
        Assert.Equal(evicted, first != next);
    }

    [Fact]
    public void InternalTokenIssuer_MintedToken_CarriesWhatRevocationNames()
    {
        CreateMintCache(out var issuer);

        var token = new JsonWebToken(issuer.Mint(Caller(), "orders-api", "req"));

        Assert.Equal("jti-1", token.GetPayloadValue<string>("orig_jti"));
        Assert.Equal("sid-1", token.GetPayloadValue<string>("sid"));
        Assert.Equal(_time.GetUtcNow().AddMinutes(-1).ToUnixTimeSeconds(), token.GetPayloadValue<long>("orig_iat"));
        Assert.NotEqual("jti-1", token.Id);
    }

    [Fact]
    public void SubjectRevocation_TokenIssuedAfterTheInstant_IsNotEvicted()
    {
        var cache = CreateMintCache(out _);
        cache.GetOrMint(Caller(), "orders-api", ReadScope, "r1");

        var count = cache.OnRevoked(new RevocationEntry(RevocationKind.Subject, "alice", _time.GetUtcNow().AddHours(1), _time.GetUtcNow().AddMinutes(-2)));

        Assert.Equal(0, count);
    }

    [Theory]
    [MemberData(nameof(Revocations))]
    public async Task TokenExchangeCache_Revocation_EvictsTheExchangedTokens(RevocationKind kind, string value, bool evicted)
    {
        await using var idp = new Infrastructure.FakeTokenExchangeEndpoint();
        await idp.StartAsync();
        using var http = new ServiceCollection().AddHttpClient().BuildServiceProvider();
        var client = new TokenExchangeClient(
            http.GetRequiredService<IHttpClientFactory>(),
            Options.Create(new TokenExchangeOptions
            {
                MetadataAddress = new Uri(idp.MetadataAddress),
                ClientId = Infrastructure.FakeTokenExchangeEndpoint.ClientId,
                ClientSecret = Infrastructure.FakeTokenExchangeEndpoint.ClientSecret,
            }),
            _time,
            NullLogger<TokenExchangeClient>.Instance);
        await client.ExchangeAsync("subject-token", _time.GetUtcNow().AddHours(1), "orders-api", "orders.read", Caller().RevocationSubject, CancellationToken.None);

        var count = client.OnRevoked(Revocation(kind, value));
        await client.ExchangeAsync("subject-token", _time.GetUtcNow().AddHours(1), "orders-api", "orders.read", Caller().RevocationSubject, CancellationToken.None);

        Assert.Equal(evicted ? 1 : 0, count);
        Assert.Equal(evicted ? 2 : 1, client.Exchanges);
    }

    public void Dispose()
    {
        _key.Dispose();
        _services.Dispose();
    }

    private RevocationEntry Revocation(RevocationKind kind, string value) =>
        new(kind, value, _time.GetUtcNow().AddHours(1), _time.GetUtcNow());

    private AuthenticatedCaller Caller() =>
        new("alice", "client-1", ["orders.read"], "tenant-a", "https://idp.test", _time.GetUtcNow().AddHours(1), "hash-1")
        {
            TokenId = "jti-1",
            SessionId = "sid-1",
            IssuedAt = _time.GetUtcNow().AddMinutes(-1),
        };

    private InternalTokenCache CreateMintCache(out InternalTokenIssuer issuer)
    {
        var options = Options.Create(new InternalTokenOptions { MintCacheMaxEntries = 100 });
        issuer = new InternalTokenIssuer(InternalSigningKeyRing.Fixed(_key, _time), options, _time, new GatewayTelemetry(_services.GetRequiredService<IMeterFactory>()));
        return new InternalTokenCache(issuer, options, _time);
    }
}
