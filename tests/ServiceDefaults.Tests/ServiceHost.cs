using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Reference.ServiceDefaults.InternalTokens;
using Reference.TestUtilities;

namespace Reference.ServiceDefaults.Tests;

/// <summary>
/// A service built like Orders.Api (AddServiceDefaults, AddInternalTokenValidation, MapDefaultEndpoints)
/// with a few test endpoints, on a TestServer (or real Kestrel on a dynamic port).
/// </summary>
internal sealed class ServiceHost : IAsyncDisposable
{
    public const string Audience = "orders-api";

    private ServiceHost(WebApplication app, HttpClient client)
    {
        App = app;
        Client = client;
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public static async Task<ServiceHost> StartAsync(
        IDictionary<string, string?> configuration,
        TimeProvider? timeProvider = null,
        Action<WebApplicationBuilder>? configureBuilder = null,
        Action<WebApplication>? configureApp = null,
        bool useKestrel = false,
        bool internalTokens = true)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        if (useKestrel)
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }
        else
        {
            builder.WebHost.UseTestServer();
        }

        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.AddServiceDefaults();
        if (internalTokens)
        {
            builder.AddInternalTokenValidation();
        }

        if (timeProvider is not null)
        {
            builder.Services.AddSingleton(timeProvider);
        }

        configureBuilder?.Invoke(builder);
        var app = builder.Build();
        configureApp?.Invoke(app);
        app.MapDefaultEndpoints();
        if (internalTokens)
        {
            app.MapGet("/orders", () => TypedResults.Ok("orders"))
                .RequireAuthorization(p => p.RequireScope("orders.read"));
            app.MapGet("/whoami", (ClaimsPrincipal user) => TypedResults.Ok(CallerIdentity.FromPrincipal(user)));
        }

        await app.StartAsync();
        HttpClient client;
        if (useKestrel)
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            client = new HttpClient { BaseAddress = new Uri(address) };
        }
        else
        {
            client = app.GetTestClient();
        }

        return new ServiceHost(app, client);
    }

    /// <summary>Configuration for a service verifying tokens from <paramref name="jwks"/>.</summary>
    public static Dictionary<string, string?> TokenConfiguration(JwksStubServer jwks) => new()
    {
        ["InternalTokens:Audience"] = Audience,
        ["InternalTokens:JwksUri"] = jwks.JwksUri.ToString(),
    };

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
