using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Reference.ServiceDefaults.Tests.Telemetry;

public sealed class OtlpExportTests
{
    private sealed record Received(string Path, string? ContentType, string? ApiKey, long Length);

    [Fact]
    public async Task OtlpEndpoint_Set_ExportsTracesMetricsAndLogsOverHttpProtobufWithHeaders()
    {
        var received = new ConcurrentQueue<Received>();
        var collectorBuilder = WebApplication.CreateSlimBuilder();
        collectorBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        collectorBuilder.Logging.ClearProviders();
        await using var collector = collectorBuilder.Build();
        collector.MapPost("/v1/{signal}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            received.Enqueue(new Received(context.Request.Path, context.Request.ContentType, context.Request.Headers["x-test-key"], body.Length));
            return Results.Ok();
        });
        await collector.StartAsync();
        var collectorAddress = collector.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        var host = await ServiceHost.StartAsync(
            new Dictionary<string, string?>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collectorAddress,
                ["OTEL_EXPORTER_OTLP_HEADERS"] = "x-test-key=k123",
                ["OTEL_SERVICE_NAME"] = "otlp-test",
                ["InternalTokens:Audience"] = "orders-api",
            },
            configureApp: app => app.MapGet("/work", (ILogger<OtlpExportTests> logger) =>
            {
                logger.LogWarning("work done");
                return TypedResults.Ok();
            }).AllowAnonymous());
        Assert.True((await host.Client.GetAsync("/work")).IsSuccessStatusCode);

        // Stopping flushes the tracer and meter providers; disposing the host flushes the logger provider.
        await host.DisposeAsync();

        var paths = received.Select(r => r.Path).ToHashSet();
        Assert.Contains("/v1/traces", paths);
        Assert.Contains("/v1/metrics", paths);
        Assert.Contains("/v1/logs", paths);
        Assert.All(received, r =>
        {
            Assert.Equal("application/x-protobuf", r.ContentType);
            Assert.Equal("k123", r.ApiKey);
            Assert.True(r.Length > 0);
        });
    }
}
