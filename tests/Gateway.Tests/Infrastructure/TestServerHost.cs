using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Reference.Gateway.Tests.Infrastructure;

/// <summary>A small real Kestrel app on a dynamic loopback port, for the fake IdP and the downstream stubs.</summary>
public abstract class TestServerHost : IAsyncDisposable
{
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The base address without a trailing slash, e.g. http://127.0.0.1:41234.</summary>
    public string Url => BaseAddress.GetLeftPart(UriPartial.Authority);

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        Map(app);
        await app.StartAsync();
        BaseAddress = new Uri(app.Urls.First());
        _app = app;
    }

    protected abstract void Map(WebApplication app);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
