using System.Buffers.Text;
using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Reference.Gateway;
using Reference.Gateway.Authentication.Jwt;

namespace Reference.Benchmarks;

/// <summary>
/// A throw-away issuer (RSA-2048 and P-256 keys) served from memory as discovery + JWKS, and a JWKS cache registry
/// loaded from it: the gateway's real validation path with no network in the measurement.
/// </summary>
internal sealed class TestIssuer : HttpMessageHandler
{
    public const string Issuer = "https://idp.bench";

    public RSA Rsa { get; } = RSA.Create(2048);

    public ECDsa Ec { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public static GatewayTelemetry Telemetry { get; } = new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());

    public JwtValidationOptions Options(int validatedTokenCacheSize)
    {
        var options = new JwtValidationOptions
        {
            Issuer = Issuer,
            MetadataAddress = new Uri(Issuer + "/.well-known/openid-configuration"),
            ValidatedTokenCacheSize = validatedTokenCacheSize,
        };
        new JwtValidationOptionsPostConfigure().PostConfigure(null, options);
        return options;
    }

    public JwtTokenValidator CreateValidator(int validatedTokenCacheSize)
    {
        var options = Microsoft.Extensions.Options.Options.Create(Options(validatedTokenCacheSize));
        var registry = new JwksCacheRegistry(options, new Factory(this), TimeProvider.System, Telemetry, NullLoggerFactory.Instance);
        if (!registry.All.Single().RefreshAsync(CancellationToken.None).GetAwaiter().GetResult())
        {
            throw new InvalidOperationException("The in-memory JWKS did not load.");
        }

        return new JwtTokenValidator(registry, options, TimeProvider.System);
    }

    public string CreateToken(string algorithm, string subject)
    {
        var now = DateTimeOffset.UtcNow;
        var header = $$"""{"alg":"{{algorithm}}","typ":"at+jwt","kid":"{{(algorithm == "RS256" ? "rsa-1" : "ec-1")}}"}""";
        var payload = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["aud"] = "reference-api",
            ["sub"] = subject,
            ["client_id"] = "demo-client",
            ["scope"] = "orders.read orders.write",
            ["tenant_id"] = "tenant-a",
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString("N"),
        });
        var input = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header)) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload));
        var data = Encoding.ASCII.GetBytes(input);
        var signature = algorithm == "RS256"
            ? Rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : Ec.SignData(data, HashAlgorithmName.SHA256);
        return input + "." + Base64Url.EncodeToString(signature);
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        var body = path.EndsWith("openid-configuration", StringComparison.Ordinal)
            ? JsonSerializer.Serialize(new { issuer = Issuer, jwks_uri = Issuer + "/jwks" })
            : Jwks();
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Rsa.Dispose();
            Ec.Dispose();
        }

        base.Dispose(disposing);
    }

    private string Jwks()
    {
        var rsa = Rsa.ExportParameters(false);
        var ec = Ec.ExportParameters(false);
        return JsonSerializer.Serialize(new
        {
            keys = new object[]
            {
                new { kty = "RSA", kid = "rsa-1", use = "sig", alg = "RS256", n = Base64Url.EncodeToString(rsa.Modulus), e = Base64Url.EncodeToString(rsa.Exponent) },
                new { kty = "EC", kid = "ec-1", use = "sig", alg = "ES256", crv = "P-256", x = Base64Url.EncodeToString(ec.Q.X), y = Base64Url.EncodeToString(ec.Q.Y) },
            },
        });
    }

    private sealed class Factory(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }
}
