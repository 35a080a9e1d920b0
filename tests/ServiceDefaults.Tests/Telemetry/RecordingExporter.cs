using System.Collections.Concurrent;
using System.Diagnostics;
using OpenTelemetry;

namespace Reference.ServiceDefaults.Tests.Telemetry;

/// <summary>An exporter that keeps what it was given, behind the SDK's own export processor.</summary>
internal sealed class RecordingExporter : BaseExporter<Activity>
{
    public ConcurrentQueue<Activity> Exported { get; } = new();

    public override ExportResult Export(in Batch<Activity> batch)
    {
        foreach (var activity in batch)
        {
            Exported.Enqueue(activity);
        }

        return ExportResult.Success;
    }
}
