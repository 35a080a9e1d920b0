using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Reference.TestUtilities;

/// <summary>
/// A real HTTP server on a dynamic loopback port that serves a JWKS document (as a gateway or IdP
/// would) and counts the fetches it received.
/// </summary>
public sealed class JwksStubServer : IAsyncDisposable
{
    public const string Path = "/.well-known/internal-jwks.json";
    private readonly WebApplication _app;
    private int _requestCount;

    private JwksStubServer(WebApplication app) => _app = app;

    /// <summary>The JWKS document served; tests may replace it (key rotation).</summary>
    public string Jwks { get; set; } = """{"keys":[]}""";

    /// <summary>The status code served; set to e.g. 503 to make fetches fail.</summary>
    public int StatusCode { get; set; } = StatusCodes.Status200OK;

    /// <summary>Other JSON documents served by path (e.g. an OpenID discovery document).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, string> Documents { get; } = new(StringComparer.Ordinal);

    /// <summary>How many times the document was requested.</summary>
    public int RequestCount => Volatile.Read(ref _requestCount);

    /// <summary>The server's base address, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The JWKS URL.</summary>
    public Uri JwksUri => new(BaseAddress, Path);

    public static async Task<JwksStubServer> StartAsync(string jwks)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new JwksStubServer(app) { Jwks = jwks };
        app.MapGet(Path, (HttpContext context) =>
        {
            Interlocked.Increment(ref server._requestCount);
            return server.StatusCode == StatusCodes.Status200OK
                ? Results.Text(server.Jwks, "application/json")
                : Results.StatusCode(server.StatusCode);
        });
        app.MapGet("/{**path}", (string path) => server.Documents.TryGetValue("/" + path, out var document)
            ? Results.Text(document, "application/json")
            : Results.NotFound());
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.BaseAddress = new Uri(address);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
