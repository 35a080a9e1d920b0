using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Reference.Gateway.Tests.Infrastructure;

public sealed record RecordedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string[]> Headers)
{
    public string[] Header(string name) =>
        Headers.TryGetValue(name.ToLowerInvariant(), out var values) ? values : [];
}

/// <summary>A downstream service stub that records every request it receives and answers 200.</summary>
public sealed class RecordingDownstream : TestServerHost
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public void Clear() => _requests.Clear();

    protected override void Map(WebApplication app) =>
        app.Run(async context =>
        {
            var headers = context.Request.Headers.ToDictionary(
                h => h.Key.ToLowerInvariant(), h => h.Value.Select(v => v ?? string.Empty).ToArray());
            _requests.Enqueue(new RecordedRequest(
                context.Request.Method, context.Request.Path.Value ?? string.Empty, context.Request.QueryString.Value ?? string.Empty, headers));
            await context.Response.WriteAsJsonAsync(new { ok = true });
        });
}
