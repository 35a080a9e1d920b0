namespace Reference.AppHost.Otlp.Storage;

/// <summary>An attribute as the dashboard shows it: the value rendered as text (untrusted: encode on output).</summary>
internal readonly record struct TelemetryAttribute(string Key, string Value);

/// <summary>One structured log record from an OTLP log export.</summary>
internal sealed record LogEntry(
    long Id,
    string Resource,
    string InstanceId,
    DateTimeOffset Timestamp,
    int SeverityNumber,
    string SeverityText,
    string Category,
    string Message,
    string TraceId,
    string SpanId,
    IReadOnlyList<TelemetryAttribute> Attributes)
{
    public string Level => LogLevels.Name(SeverityNumber);

    /// <summary>The exception attributes (OpenTelemetry semantic conventions), when the record carries one.</summary>
    public string? Exception
    {
        get
        {
            var parts = Attributes.Where(a => a.Key is "exception.type" or "exception.message" or "exception.stacktrace").Select(a => a.Value).ToList();
            return parts.Count == 0 ? null : string.Join(Environment.NewLine, parts);
        }
    }
}

/// <summary>OTLP severity numbers grouped into the familiar levels.</summary>
internal static class LogLevels
{
    public static readonly IReadOnlyList<(string Name, int MinSeverity)> All =
    [
        ("Trace", 1), ("Debug", 5), ("Information", 9), ("Warning", 13), ("Error", 17), ("Critical", 21),
    ];

    public static string Name(int severity) => severity switch
    {
        >= 21 => "Critical",
        >= 17 => "Error",
        >= 13 => "Warning",
        >= 9 => "Information",
        >= 5 => "Debug",
        >= 1 => "Trace",
        _ => "Unspecified",
    };
}

internal sealed record SpanEvent(string Name, DateTimeOffset Timestamp, IReadOnlyList<TelemetryAttribute> Attributes);

/// <summary>One span from an OTLP trace export.</summary>
internal sealed record SpanEntry(
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    string Kind,
    string Resource,
    string InstanceId,
    string Scope,
    ulong StartNanos,
    ulong EndNanos,
    bool IsError,
    string StatusMessage,
    string StatusCode,
    IReadOnlyList<TelemetryAttribute> Attributes,
    IReadOnlyList<SpanEvent> Events)
{
    public DateTimeOffset Start => OtlpTime.FromUnixNanos(StartNanos);

    public TimeSpan Duration => OtlpTime.Between(StartNanos, EndNanos);
}

/// <summary>A copy of one trace's spans, taken under the store's lock.</summary>
internal sealed record TraceSnapshot(string TraceId, IReadOnlyList<SpanEntry> Spans, int DroppedSpans)
{
    /// <summary>The span without a parent in this trace (earliest first), else the earliest span.</summary>
    public SpanEntry Root
    {
        get
        {
            var ids = Spans.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
            return Spans.Where(s => !ids.Contains(s.ParentSpanId)).MinBy(s => s.StartNanos) ?? Spans.MinBy(s => s.StartNanos)!;
        }
    }

    public ulong StartNanos => Spans.Min(s => s.StartNanos);

    public ulong EndNanos => Spans.Max(s => Math.Max(s.EndNanos, s.StartNanos));

    public DateTimeOffset Start => OtlpTime.FromUnixNanos(StartNanos);

    public TimeSpan Duration => OtlpTime.Between(StartNanos, EndNanos);

    public bool HasError => Spans.Any(s => s.IsError);

    /// <summary>Every resource with its span count, in order of first appearance.</summary>
    public IReadOnlyList<(string Resource, int Spans)> Resources =>
        [.. Spans.OrderBy(s => s.StartNanos).GroupBy(s => s.Resource, StringComparer.Ordinal).Select(g => (g.Key, g.Count()))];
}

internal enum MetricKind
{
    Gauge,
    Sum,
    Histogram,
}

/// <summary>One data point: a value for gauges and sums; count, sum and buckets for histograms.</summary>
internal sealed record MetricPoint(DateTimeOffset Timestamp, double Value, ulong Count, double? Sum, IReadOnlyList<ulong> BucketCounts, IReadOnlyList<double> Bounds);

/// <summary>The points of one attribute set (and instance) of an instrument.</summary>
internal sealed record MetricSeriesSnapshot(string Key, IReadOnlyList<MetricPoint> Points);

internal sealed record MetricInstrumentSnapshot(
    string Resource, string Meter, string Name, string Description, string Unit, MetricKind Kind, bool IsMonotonic, IReadOnlyList<MetricSeriesSnapshot> Series);

internal static class OtlpTime
{
    public static DateTimeOffset FromUnixNanos(ulong nanos) => DateTimeOffset.UnixEpoch.AddTicks((long)(nanos / 100));

    public static TimeSpan Between(ulong startNanos, ulong endNanos) =>
        endNanos > startNanos ? TimeSpan.FromTicks((long)((endNanos - startNanos) / 100)) : TimeSpan.Zero;
}
