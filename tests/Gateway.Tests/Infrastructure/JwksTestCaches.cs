using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Reference.Gateway.Authentication.Jwt;

namespace Reference.Gateway.Tests.Infrastructure;

/// <summary>A JWKS cache registry over in-memory identity providers, with the real options post-configuration.</summary>
internal sealed class JwksTestCaches : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public JwksTestCaches(HttpMessageHandler handler, TimeProvider time, Action<JwtValidationOptions>? configure = null)
    {
        var options = new JwtValidationOptions
        {
            Issuer = StubIdentityProviderHandler.Issuer,
            MetadataAddress = new Uri("https://idp.test/.well-known/openid-configuration"),
        };
        configure?.Invoke(options);
        new JwtValidationOptionsPostConfigure().PostConfigure(null, options);
        Options = Microsoft.Extensions.Options.Options.Create(options);
        Telemetry = new GatewayTelemetry(_services.GetRequiredService<IMeterFactory>());
        Registry = new JwksCacheRegistry(Options, new StubHttpClientFactory(handler), time, Telemetry, NullLoggerFactory.Instance);
    }

    public IOptions<JwtValidationOptions> Options { get; }

    public GatewayTelemetry Telemetry { get; }

    public JwksCacheRegistry Registry { get; }

    public JwksCache Default => Registry.All.Single();

    public void Dispose()
    {
        Registry.Dispose();
        _services.Dispose();
    }
}
