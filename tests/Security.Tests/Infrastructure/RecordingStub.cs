using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Reference.Security.Tests.Infrastructure;

/// <summary>What the downstream stub received: the path (with the case's unique marker) and the headers.</summary>
public sealed record StubRequest(string Method, string Path, IReadOnlyDictionary<string, string[]> Headers)
{
    public string[] Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var values) ? values : [];
}

/// <summary>
/// The downstream service the suite's gateway routes (<c>/sec/...</c>) forward to: a Kestrel app in the test process on
/// a loopback port that records every request and answers 200. "The downstream saw nothing" is checked per case by a
/// unique path marker, so a case never depends on what another case sent.
/// </summary>
public sealed class RecordingStub : IAsyncDisposable
{
    private readonly ConcurrentQueue<StubRequest> _requests = new();
    private WebApplication? _app;

    public string Url { get; private set; } = "";

    public IReadOnlyList<StubRequest> Requests => [.. _requests];

    public IReadOnlyList<StubRequest> RequestsFor(string marker) =>
        [.. _requests.Where(r => r.Path.Contains(marker, StringComparison.Ordinal))];

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(async context =>
        {
            var headers = context.Request.Headers.ToDictionary(
                h => h.Key.ToLowerInvariant(), h => h.Value.Select(v => v ?? "").ToArray());
            _requests.Enqueue(new StubRequest(context.Request.Method, context.Request.Path.Value ?? "", headers));
            await context.Response.WriteAsJsonAsync(new { ok = true });
        });
        await app.StartAsync();
        Url = app.Urls.First().TrimEnd('/');
        _app = app;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
