using BenchmarkDotNet.Attributes;
using Reference.Gateway.Authentication;
using Reference.Gateway.Authentication.Introspection;
using Reference.Gateway.Authentication.Jwt;

namespace Reference.Benchmarks;

/// <summary>The introspection cache hit (hash the opaque token, look it up) next to the SHA-256 it is built on.</summary>
[MemoryDiagnoser]
public class IntrospectionCacheBenchmarks
{
    private IntrospectionCache _cache = null!;
    private string _token = null!;

    [GlobalSetup]
    public void Setup()
    {
        _cache = new IntrospectionCache(Microsoft.Extensions.Options.Options.Create(new IntrospectionOptions()), TimeProvider.System);
        _token = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var caller = new AuthenticatedCaller("bench-user", "demo-reference", ["orders.read"], "tenant-a", TestIssuer.Issuer, DateTimeOffset.UtcNow.AddHours(1), "0123456789ab")
        {
            Scheme = "introspection",
        };
        _cache.Set(IntrospectionAuthenticationScheme.CacheKey(_token), new IntrospectionResult(caller, null));
    }

    [Benchmark(Description = "introspection cache hit")]
    public object? CacheHit() => _cache.GetFresh(IntrospectionAuthenticationScheme.CacheKey(_token));

    [Benchmark(Description = "SHA-256 of the token (floor)")]
    public int Sha256OfToken() => TokenDigest.Of(_token).GetHashCode();
}
