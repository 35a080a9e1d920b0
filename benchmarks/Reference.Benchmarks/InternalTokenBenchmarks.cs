using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Reference.Gateway.Authentication;
using Reference.Gateway.Propagation.InternalTokens;

namespace Reference.Benchmarks;

/// <summary>Minting the internal token: cold (sign every time) and hot (the mint cache), next to a raw ES256 signature.</summary>
[MemoryDiagnoser]
public class InternalTokenBenchmarks
{
    private static readonly string[] Scopes = ["orders.read"];
    private InternalTokenIssuer _issuer = null!;
    private InternalTokenCache _cache = null!;
    private AuthenticatedCaller _caller = null!;
    private ECDsa _key = null!;
    private byte[] _signingInput = null!;

    [GlobalSetup]
    public void Setup()
    {
        _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var options = Microsoft.Extensions.Options.Options.Create(new InternalTokenOptions());
        var ring = InternalSigningKeyRing.Fixed(new InternalSigningKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)), TimeProvider.System);
        _issuer = new InternalTokenIssuer(ring, options, TimeProvider.System, TestIssuer.Telemetry);
        _cache = new InternalTokenCache(_issuer, options, TimeProvider.System);
        _caller = new AuthenticatedCaller("bench-user", "demo-client", ["orders.read", "orders.write"], "tenant-a", TestIssuer.Issuer, DateTimeOffset.UtcNow.AddHours(1), "0123456789ab")
        {
            Email = "bench@example.test",
            Roles = ["orders.admin"],
        };
        _signingInput = Encoding.ASCII.GetBytes(_issuer.Mint(_caller, "orders-api", Scopes, "req-1")[..200]);
    }

    [GlobalCleanup]
    public void Cleanup() => _key.Dispose();

    [Benchmark(Description = "mint cold (sign every time)")]
    public string MintCold() => _issuer.Mint(_caller, "orders-api", Scopes, "req-1");

    [Benchmark(Description = "mint hot (mint cache)")]
    public string MintHot() => _cache.GetOrMintAuthorization(_caller, "orders-api", Scopes, "req-1");

    [Benchmark(Description = "raw ES256 sign (floor of cold)")]
    public byte[] RawEs256Sign() => _key.SignData(_signingInput, HashAlgorithmName.SHA256);
}
