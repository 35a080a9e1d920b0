using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Reference.Resilience.Tests.Faults;

/// <summary>What the <see cref="JwksFaultServer"/> answers.</summary>
public enum JwksFault
{
    /// <summary>The IdP's real JWKS (fetched from it for every request), with its Cache-Control.</summary>
    Forward,

    /// <summary>Never answers until the mode changes (or the caller gives up): a JWKS fetch that hangs.</summary>
    Hang,

    /// <summary>200 with a body that is not a JWKS.</summary>
    Garbage,

    /// <summary>503: the IdP is down.</summary>
    Unavailable,
}

/// <summary>
/// A JWKS endpoint in the test process that the gateway is pointed at (<c>Issuers:{name}:JwksUri</c>) instead of the
/// IdP: it forwards to the IdP's real JWKS, or hangs, answers garbage or 503. Counts every fetch.
/// </summary>
public sealed class JwksFaultServer : IAsyncDisposable
{
    public const string Path = "/jwks";

    private readonly WebApplication _app;
    private readonly HttpClient _upstream = new(new SocketsHttpHandler { UseProxy = false });
    private readonly Func<Uri> _upstreamJwks;
    private readonly object _gate = new();
    private TaskCompletionSource _modeChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private JwksFault _mode;
    private int _requests;
    private int _held;
    private long _lastGoodTicks;

    private JwksFaultServer(WebApplication app, Func<Uri> upstreamJwks, JwksFault mode)
    {
        _app = app;
        _upstreamJwks = upstreamJwks;
        _mode = mode;
    }

    /// <summary>The JWKS URL to configure in the gateway.</summary>
    public Uri JwksUri { get; private set; } = null!;

    public JwksFault Mode
    {
        get
        {
            lock (_gate)
            {
                return _mode;
            }
        }

        set
        {
            TaskCompletionSource previous;
            lock (_gate)
            {
                _mode = value;
                previous = _modeChanged;
                _modeChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            previous.TrySetResult();
        }
    }

    /// <summary>Fetches received since start (or since <see cref="ResetCount"/>).</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Fetches being held right now (<see cref="JwksFault.Hang"/>).</summary>
    public int HeldRequests => Volatile.Read(ref _held);

    /// <summary>When a good JWKS was last served; null if never.</summary>
    public DateTimeOffset? LastGoodResponseAt
    {
        get
        {
            var ticks = Interlocked.Read(ref _lastGoodTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    public void ResetCount() => Interlocked.Exchange(ref _requests, 0);

    /// <param name="upstreamJwks">The IdP's real JWKS URL, resolved per request (its port is allocated at start).</param>
    /// <param name="mode">The initial mode.</param>
    public static async Task<JwksFaultServer> StartAsync(Func<Uri> upstreamJwks, JwksFault mode)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new JwksFaultServer(app, upstreamJwks, mode);
        app.MapGet(Path, server.ServeAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.JwksUri = new Uri(new Uri(address), Path);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        Mode = JwksFault.Unavailable;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }

    private async Task ServeAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        JwksFault mode;
        Task modeChanged;
        lock (_gate)
        {
            mode = _mode;
            modeChanged = _modeChanged.Task;
        }

        switch (mode)
        {
            case JwksFault.Hang:
                Interlocked.Increment(ref _held);
                try
                {
                    // Held until the mode changes; then the connection is dropped without an answer.
                    await modeChanged.WaitAsync(context.RequestAborted);
                    context.Abort();
                }
                catch (OperationCanceledException)
                {
                    // The gateway gave up (its fetch timeout).
                }
                finally
                {
                    Interlocked.Decrement(ref _held);
                }

                return;
            case JwksFault.Garbage:
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("{\"keys\":[{\"kty\":\"RSA\",\"kid\":", context.RequestAborted);
                return;
            case JwksFault.Unavailable:
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            default:
                using (var upstream = await _upstream.GetAsync(_upstreamJwks(), context.RequestAborted))
                {
                    context.Response.StatusCode = (int)upstream.StatusCode;
                    context.Response.ContentType = "application/json";
                    if (upstream.Headers.CacheControl is { } cacheControl)
                    {
                        context.Response.Headers.CacheControl = cacheControl.ToString();
                    }

                    var body = await upstream.Content.ReadAsStringAsync(context.RequestAborted);
                    if (upstream.IsSuccessStatusCode)
                    {
                        Interlocked.Exchange(ref _lastGoodTicks, DateTimeOffset.UtcNow.UtcTicks);
                    }

                    await context.Response.WriteAsync(body, context.RequestAborted);
                }

                return;
        }
    }
}
