using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Reference.ServiceDefaults.Telemetry;

/// <summary>
/// Owns the tracer and meter providers' start: taking them in the constructor builds them when the
/// host resolves its hosted services, before the server accepts a request. The DI container
/// disposes them (which flushes and shuts the exporters down) when the host is disposed; stopping
/// flushes first so the last spans of a graceful shutdown are exported.
/// </summary>
internal sealed class TelemetryProvidersHostedService(TracerProvider tracerProvider, MeterProvider meterProvider) : IHostedService
{
    private const int FlushTimeoutMilliseconds = 5000;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        tracerProvider.ForceFlush(FlushTimeoutMilliseconds);
        meterProvider.ForceFlush(FlushTimeoutMilliseconds);
        return Task.CompletedTask;
    }
}
