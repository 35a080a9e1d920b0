using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Reference.SampleServices.Tests;

/// <summary>
/// Runs a sample service in memory with its real Program and appsettings.json; only the JWKS
/// address (a stub serving the test signer's key) and the clock are replaced.
/// </summary>
public sealed class SampleServiceFactory<TEntryPoint>(
    Uri jwksUri,
    TimeProvider timeProvider,
    IDictionary<string, string?>? extraConfiguration = null,
    Action<IServiceCollection>? configureServices = null) : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var settings = new Dictionary<string, string?>
        {
            ["InternalTokens:JwksUri"] = jwksUri.ToString(),
            ["TrustedHeaders:GatewayNetworks:0"] = "127.0.0.1/32",
        };
        foreach (var (key, value) in extraConfiguration ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(settings));
        builder.ConfigureLogging(logging => logging.ClearProviders());
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton(timeProvider);
            configureServices?.Invoke(services);
        });
    }
}
