using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Reference.Gateway.Authentication.Jwt;

namespace Reference.Benchmarks;

/// <summary>
/// Access-token validation at the gateway: cold (validated-token cache off, so every call parses, looks the key up and
/// verifies the signature: the cost of a token seen for the first time) and hot (the token seen before: a SHA-256 and a
/// lookup), next to the raw signature verification and the SHA-256 of the token.
/// </summary>
[MemoryDiagnoser]
public class JwtValidationBenchmarks
{
    private TestIssuer _issuer = null!;
    private JwtTokenValidator _cold = null!;
    private JwtTokenValidator _hot = null!;
    private string _token = null!;
    private byte[] _signingInput = null!;
    private byte[] _signature = null!;

    [Params("RS256", "ES256")]
    public string Algorithm { get; set; } = "RS256";

    [GlobalSetup]
    public void Setup()
    {
        _issuer = new TestIssuer();
        _cold = _issuer.CreateValidator(validatedTokenCacheSize: 0);
        _hot = _issuer.CreateValidator(validatedTokenCacheSize: 10_000);
        _token = _issuer.CreateToken(Algorithm, "bench-user");
        var dot = _token.LastIndexOf('.');
        _signingInput = Encoding.ASCII.GetBytes(_token[..dot]);
        _signature = System.Buffers.Text.Base64Url.DecodeFromChars(_token.AsSpan(dot + 1));
        if (_hot.ValidateAsync(_token, CancellationToken.None).AsTask().GetAwaiter().GetResult().Failure is { } failure)
        {
            throw new InvalidOperationException("The benchmark token is not valid: " + failure.Reason);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _issuer.Dispose();

    [Benchmark(Description = "validate cold (full verification)")]
    public object? ValidateCold() => _cold.ValidateAsync(_token, CancellationToken.None).AsTask().GetAwaiter().GetResult().Caller;

    [Benchmark(Description = "validate hot (cached)")]
    public object? ValidateHot() => _hot.ValidateAsync(_token, CancellationToken.None).AsTask().GetAwaiter().GetResult().Caller;

    [Benchmark(Description = "raw signature verify (floor of cold)")]
    public bool RawVerify() => Algorithm == "RS256"
        ? _issuer.Rsa.VerifyData(_signingInput, _signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
        : _issuer.Ec.VerifyData(_signingInput, _signature, HashAlgorithmName.SHA256);

    [Benchmark(Description = "SHA-256 of the token (floor of hot)")]
    public int Sha256OfToken() => TokenDigest.Of(_token).GetHashCode();
}
