namespace Reference.AppHost.Otlp;

/// <summary>
/// The bounds of the dashboard's telemetry storage (configuration section <c>AppHost:Dashboard:Limits</c>):
/// every buffer is a ring, so memory stays flat however much the children export.
/// </summary>
internal sealed record TelemetryLimits
{
    public int MaxLogEntriesPerResource { get; init; } = 10_000;

    public int MaxTraces { get; init; } = 10_000;

    public int MaxSpansPerTrace { get; init; } = 1_000;

    public TimeSpan MetricsWindow { get; init; } = TimeSpan.FromMinutes(30);

    public int MaxPointsPerSeries { get; init; } = 2_000;

    public int MaxSeriesPerInstrument { get; init; } = 200;

    public int MaxInstrumentsPerResource { get; init; } = 1_000;

    /// <summary>Distinct <c>service.name</c> values kept; exports from further names are dropped.</summary>
    public int MaxResources { get; init; } = 100;

    public int MaxAttributesPerItem { get; init; } = 128;

    public int MaxStringLength { get; init; } = 8_192;
}
