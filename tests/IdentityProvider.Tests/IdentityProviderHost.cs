using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Reference.TestUtilities.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Reference.IdentityProvider.Tests;

/// <summary>
/// Composes the IdentityProvider exactly as Program.cs does, on a TestServer, and starts it, so that a start-up
/// failure surfaces as the exception the real process would die with. (WebApplicationFactory reports a failed start
/// intermittently as an ObjectDisposedException from its deferred host, which would make such tests flaky.)
/// </summary>
internal static class IdentityProviderHost
{
    private static readonly Lazy<string> ProjectDirectory = new(FindProjectDirectory);

    public static async Task<WebApplication> StartAsync(IDictionary<string, string?> settings, string dataPath)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = ProjectDirectory.Value,
            EnvironmentName = Environments.Development,
        });
        var redis = await RedisTestServer.GetSharedAsync();
        builder.Configuration.AddInMemoryCollection(
        [
            new("ConnectionStrings:cache", redis.ConnectionString),
            new("IdentityProvider:KeyPrefix", $"idp-test-{Guid.NewGuid():N}:"),
        ]);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Configuration.AddInMemoryCollection([new("IdentityProvider:DataPath", dataPath)]);
        builder.WebHost.UseTestServer();

        builder.AddServiceDefaults();
        builder.AddIdentityProvider();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapIdentityProviderEndpoints();

        try
        {
            await app.StartAsync();
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>The IdentityProvider project folder, whose appsettings.json is the shipped configuration.</summary>
    private static string FindProjectDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "IdentityProvider", "appsettings.json");
            if (File.Exists(candidate))
            {
                return Path.GetDirectoryName(candidate)!;
            }
        }

        throw new InvalidOperationException("IdentityProvider/appsettings.json not found above " + AppContext.BaseDirectory);
    }
}
