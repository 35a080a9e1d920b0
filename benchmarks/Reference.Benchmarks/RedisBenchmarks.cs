using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Reference.Gateway.Authentication.Sessions;
using Reference.Redis;
using Reference.TestUtilities.Redis;

namespace Reference.Benchmarks;

/// <summary>
/// The session lookup (a GET and a JSON parse of the session record) and the RESP client's GET/SET, against a real
/// redis-server on loopback (started for the run): the floor here is the round trip, not crypto.
/// </summary>
[MemoryDiagnoser]
public class RedisBenchmarks
{
    private readonly string _prefix = "bench:" + Guid.NewGuid().ToString("N")[..8] + ":";
    private RedisClient _client = null!;
    private SessionStore _sessions = null!;
    private string _sessionHash = null!;
    private byte[] _value = null!;

    [GlobalSetup]
    public void Setup()
    {
        var server = RedisTestServer.GetSharedAsync().GetAwaiter().GetResult();
        _client = new RedisClient(server.Options());
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        _sessions = new SessionStore(
            _client,
            Microsoft.Extensions.Options.Options.Create(new BffOptions { KeyPrefix = _prefix }),
            TimeProvider.System,
            new SessionTelemetry(meters));
        _sessionHash = SessionStore.Hash(SessionCookie.NewId());
        var now = DateTimeOffset.UtcNow;
        _sessions.SaveAsync(_sessionHash, new SessionRecord
        {
            Subject = "0b6c1a9e-alice",
            Sid = "sid-bench",
            Issuer = TestIssuer.Issuer,
            ClientId = "gateway-bff",
            IdToken = "header.payload.signature-of-a-typical-id-token-" + new string('x', 600),
            AccessToken = "header.payload.signature-of-a-typical-access-token-" + new string('y', 700),
            RefreshToken = "refresh-" + new string('z', 43),
            AccessTokenExpiresAt = now.AddMinutes(15),
            Scopes = ["openid", "profile", "email", "orders.read"],
            TenantId = "tenant-a",
            Email = "alice@tenant-a.example",
            Roles = ["orders.admin"],
            CreatedAt = now,
            LastSeenAt = now,
            AbsoluteExpiresAt = now.AddHours(8),
        }, CancellationToken.None).GetAwaiter().GetResult();
        _value = new byte[64];
        Array.Fill(_value, (byte)'x');
        _client.SetAsync(_prefix + "key", _value).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _client.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Description = "session lookup (GET + parse)")]
    public object? SessionLookup() => _sessions.GetAsync(_sessionHash, CancellationToken.None).GetAwaiter().GetResult();

    [Benchmark(Description = "RESP GET (64 B)")]
    public RedisValue Get() => _client.GetAsync(_prefix + "key").GetAwaiter().GetResult();

    [Benchmark(Description = "RESP SET (64 B)")]
    public bool Set() => _client.SetAsync(_prefix + "key", _value).GetAwaiter().GetResult();
}
