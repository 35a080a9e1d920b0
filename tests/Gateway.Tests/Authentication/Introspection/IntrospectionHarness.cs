using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Reference.Gateway.Authentication;
using Reference.Gateway.Authentication.Introspection;
using Reference.Gateway.Tests.Infrastructure;
using Reference.TestUtilities;

namespace Reference.Gateway.Tests.Authentication.Introspection;

/// <summary>The introspection scheme resolved from the gateway's real registrations, against the controllable IdP, on a fake clock.</summary>
internal sealed class IntrospectionHarness : IAsyncDisposable
{
    private ServiceProvider _services = null!;

    private IntrospectionHarness()
    {
        Idp = new ControllableIdentityProvider(Clock);
    }

    public FakeTimeProvider Clock { get; } = new();

    public ControllableIdentityProvider Idp { get; }

    public MetricRecorder Metrics { get; private set; } = null!;

    public IGatewayAuthenticationScheme Scheme { get; private set; } = null!;

    public IntrospectionCache Cache => _services.GetRequiredService<IntrospectionCache>();

    public static async Task<IntrospectionHarness> StartAsync(Dictionary<string, string?>? overrides = null)
    {
        var harness = new IntrospectionHarness();
        await harness.Idp.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["services:identity:http:0"] = harness.Idp.Url,
            ["Gateway:Introspection:ClientSecret"] = ControllableIdentityProvider.IntrospectionSecret,
            ["Gateway:TokenExchange:ClientSecret"] = "test-exchange-secret",
            // Longer than the 500 ms default so a loaded machine does not cause retries; the fake IdP's "hang" (3 s) still times out.
            ["Gateway:Introspection:Timeout"] = "00:00:02",
        };
        foreach (var (key, value) in overrides ?? [])
        {
            settings[key] = value;
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.AddServiceDefaults();
        builder.AddIntrospectionAuthentication();
        builder.Services.AddSingleton<TimeProvider>(harness.Clock);
        harness._services = builder.Services.BuildServiceProvider();
        harness._services.GetRequiredService<IStartupValidator>().Validate();
        harness.Metrics = new MetricRecorder(harness._services.GetRequiredService<IMeterFactory>());
        harness.Scheme = harness._services.GetServices<IGatewayAuthenticationScheme>().Single(s => s.Name == "introspection");
        return harness;
    }

    public static HttpContext Request(string? token)
    {
        var context = new DefaultHttpContext();
        if (token is not null)
        {
            context.Request.Headers.Authorization = "Bearer " + token;
        }

        return context;
    }

    public async Task<SchemeAuthenticationResult> AuthenticateAsync(string token) =>
        await Scheme.AuthenticateAsync(Request(token), CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        Metrics?.Dispose();
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        await Idp.DisposeAsync();
    }
}
