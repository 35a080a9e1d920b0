using System.Globalization;
using Google.Protobuf;
using Reference.AppHost.Otlp.Proto.Collector;
using Reference.AppHost.Otlp.Proto.Common;
using Reference.AppHost.Otlp.Proto.Metrics;
using Reference.AppHost.Otlp.Proto.Trace;
using ProtoResource = Reference.AppHost.Otlp.Proto.Resource.Resource;

namespace Reference.AppHost.Otlp.Storage;

/// <summary>
/// The dashboard's in-memory telemetry: ring buffers of logs per resource, the last traces (spans
/// grouped by trace id) and time-windowed metric points. Each signal has its own lock, held only to
/// copy in or out, so exports and page renders never wait on each other for long, and nothing here
/// is on the orchestrator's path.
/// </summary>
internal sealed class TelemetryStore(TelemetryLimits limits, TimeProvider timeProvider)
{
    private readonly object _logsGate = new();
    private readonly Dictionary<string, Queue<LogEntry>> _logs = new(StringComparer.Ordinal);
    private long _nextLogId;

    private readonly object _tracesGate = new();
    private readonly Dictionary<string, TraceBuffer> _traces = new(StringComparer.Ordinal);
    private readonly Queue<string> _traceOrder = new();

    private readonly object _metricsGate = new();
    private readonly Dictionary<string, Dictionary<(string Meter, string Name), Instrument>> _metrics = new(StringComparer.Ordinal);

    private readonly object _resourcesGate = new();
    private readonly HashSet<string> _resources = new(StringComparer.Ordinal);

    public TelemetryLimits Limits { get; } = limits;

    /// <summary>Every resource (service.name) that exported something, sorted.</summary>
    public IReadOnlyList<string> GetResources()
    {
        lock (_resourcesGate)
        {
            return [.. _resources.Order(StringComparer.Ordinal)];
        }
    }

    public void AddLogs(ExportLogsServiceRequest request)
    {
        var entries = new List<LogEntry>();
        foreach (var resourceLogs in request.ResourceLogs)
        {
            if (Identify(resourceLogs.Resource) is not var (resource, instance))
            {
                continue;
            }

            foreach (var scope in resourceLogs.ScopeLogs)
            {
                var category = Truncate(scope.Scope?.Name ?? "");
                foreach (var record in scope.LogRecords)
                {
                    var nanos = record.TimeUnixNano != 0 ? record.TimeUnixNano : record.ObservedTimeUnixNano;
                    var attributes = Attributes(record.Attributes);
                    entries.Add(new LogEntry(
                        0, resource, instance, OtlpTime.FromUnixNanos(nanos), (int)record.SeverityNumber, Truncate(record.SeverityText),
                        category, Truncate(Render(record.Body)), Hex(record.TraceId), Hex(record.SpanId), attributes));
                }
            }
        }

        lock (_logsGate)
        {
            foreach (var entry in entries)
            {
                if (!_logs.TryGetValue(entry.Resource, out var buffer))
                {
                    buffer = new Queue<LogEntry>();
                    _logs[entry.Resource] = buffer;
                }

                if (buffer.Count >= Limits.MaxLogEntriesPerResource)
                {
                    buffer.Dequeue();
                }

                buffer.Enqueue(entry with { Id = ++_nextLogId });
            }
        }
    }

    public void AddTraces(ExportTraceServiceRequest request)
    {
        var spans = new List<SpanEntry>();
        foreach (var resourceSpans in request.ResourceSpans)
        {
            if (Identify(resourceSpans.Resource) is not var (resource, instance))
            {
                continue;
            }

            foreach (var scope in resourceSpans.ScopeSpans)
            {
                var scopeName = Truncate(scope.Scope?.Name ?? "");
                foreach (var span in scope.Spans)
                {
                    var traceId = Hex(span.TraceId);
                    var spanId = Hex(span.SpanId);
                    if (traceId.Length == 0 || spanId.Length == 0)
                    {
                        continue;
                    }

                    var events = span.Events.Take(Limits.MaxAttributesPerItem)
                        .Select(e => new SpanEvent(Truncate(e.Name), OtlpTime.FromUnixNanos(e.TimeUnixNano), Attributes(e.Attributes)))
                        .ToList();
                    spans.Add(new SpanEntry(
                        traceId, spanId, Hex(span.ParentSpanId), Truncate(span.Name), KindName(span.Kind), resource, instance, scopeName,
                        span.StartTimeUnixNano, span.EndTimeUnixNano, span.Status?.Code == Status.Types.StatusCode.Error,
                        Truncate(span.Status?.Message ?? ""), (span.Status?.Code ?? Status.Types.StatusCode.Unset).ToString(),
                        Attributes(span.Attributes), events));
                }
            }
        }

        lock (_tracesGate)
        {
            foreach (var span in spans)
            {
                if (!_traces.TryGetValue(span.TraceId, out var trace))
                {
                    while (_traces.Count >= Limits.MaxTraces && _traceOrder.TryDequeue(out var oldest))
                    {
                        _traces.Remove(oldest);
                    }

                    trace = new TraceBuffer();
                    _traces[span.TraceId] = trace;
                    _traceOrder.Enqueue(span.TraceId);
                }

                if (trace.Spans.Count >= Limits.MaxSpansPerTrace)
                {
                    trace.Dropped++;
                    continue;
                }

                trace.Spans.Add(span);
                trace.StartNanos = Math.Min(trace.StartNanos, span.StartNanos);
            }
        }
    }

    public void AddMetrics(ExportMetricsServiceRequest request)
    {
        var now = timeProvider.GetUtcNow();
        var cutoff = now - Limits.MetricsWindow;
        foreach (var resourceMetrics in request.ResourceMetrics)
        {
            if (Identify(resourceMetrics.Resource) is not var (resource, instance))
            {
                continue;
            }

            foreach (var scope in resourceMetrics.ScopeMetrics)
            {
                var meter = Truncate(scope.Scope?.Name ?? "");
                foreach (var metric in scope.Metrics)
                {
                    var points = Points(metric, instance).ToList();
                    if (points.Count == 0)
                    {
                        continue;
                    }

                    var (kind, monotonic) = metric.DataCase switch
                    {
                        Metric.DataOneofCase.Gauge => (MetricKind.Gauge, false),
                        Metric.DataOneofCase.Sum => (MetricKind.Sum, metric.Sum.IsMonotonic),
                        _ => (MetricKind.Histogram, false),
                    };
                    lock (_metricsGate)
                    {
                        if (!_metrics.TryGetValue(resource, out var instruments))
                        {
                            instruments = [];
                            _metrics[resource] = instruments;
                        }

                        var key = (meter, Truncate(metric.Name));
                        if (!instruments.TryGetValue(key, out var instrument))
                        {
                            if (instruments.Count >= Limits.MaxInstrumentsPerResource)
                            {
                                continue;
                            }

                            instrument = new Instrument(Truncate(metric.Description), Truncate(metric.Unit), kind, monotonic);
                            instruments[key] = instrument;
                        }

                        foreach (var (seriesKey, point) in points)
                        {
                            if (!instrument.Series.TryGetValue(seriesKey, out var series))
                            {
                                if (instrument.Series.Count >= Limits.MaxSeriesPerInstrument)
                                {
                                    continue;
                                }

                                series = new Queue<MetricPoint>();
                                instrument.Series[seriesKey] = series;
                            }

                            series.Enqueue(point);
                            while (series.Count > Limits.MaxPointsPerSeries || (series.TryPeek(out var first) && first.Timestamp < cutoff))
                            {
                                series.Dequeue();
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Log entries, newest first, matching every given filter.</summary>
    public IReadOnlyList<LogEntry> GetLogs(string? resource, int minSeverity, string? text, string? traceId, int limit)
    {
        List<LogEntry> candidates;
        lock (_logsGate)
        {
            candidates = resource is { Length: > 0 }
                ? _logs.TryGetValue(resource, out var buffer) ? [.. buffer] : []
                : [.. _logs.Values.SelectMany(b => b)];
        }

        return [.. candidates
            .Where(e => e.SeverityNumber >= minSeverity)
            .Where(e => traceId is not { Length: > 0 } || string.Equals(e.TraceId, traceId, StringComparison.OrdinalIgnoreCase))
            .Where(e => text is not { Length: > 0 } || e.Message.Contains(text, StringComparison.OrdinalIgnoreCase) || e.Category.Contains(text, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(e => e.Id)
            .Take(limit)];
    }

    public int CountLogs(string resource)
    {
        lock (_logsGate)
        {
            return _logs.TryGetValue(resource, out var buffer) ? buffer.Count : 0;
        }
    }

    public LogEntry? GetLog(long id)
    {
        lock (_logsGate)
        {
            return _logs.Values.SelectMany(b => b).FirstOrDefault(e => e.Id == id);
        }
    }

    public int TraceCount
    {
        get
        {
            lock (_tracesGate)
            {
                return _traces.Count;
            }
        }
    }

    public TraceSnapshot? GetTrace(string traceId)
    {
        lock (_tracesGate)
        {
            return _traces.TryGetValue(traceId.ToLowerInvariant(), out var trace) ? new TraceSnapshot(traceId.ToLowerInvariant(), [.. trace.Spans], trace.Dropped) : null;
        }
    }

    /// <summary>Traces, newest first. <paramref name="attribute"/> is <c>key=value</c> (or a bare key, or text in any value).</summary>
    public IReadOnlyList<TraceSnapshot> GetTraces(string? resource, string? name, string? attribute, int limit)
    {
        // Filtered in place and only the page's traces copied: a poll must not copy every span of every trace.
        lock (_tracesGate)
        {
            return [.. _traces
                .Where(t => t.Value.Spans.Count > 0)
                .Where(t => resource is not { Length: > 0 } || t.Value.Spans.Exists(s => s.Resource == resource))
                .Where(t => name is not { Length: > 0 } || t.Value.Spans.Exists(s => s.Name.Contains(name, StringComparison.OrdinalIgnoreCase)))
                .Where(t => attribute is not { Length: > 0 } || t.Value.Spans.Exists(s => MatchesAttribute(s.Attributes, attribute)))
                .OrderByDescending(t => t.Value.StartNanos)
                .Take(limit)
                .Select(t => new TraceSnapshot(t.Key, [.. t.Value.Spans], t.Value.Dropped))];
        }
    }

    public IReadOnlyList<MetricInstrumentSnapshot> GetInstruments(string resource)
    {
        lock (_metricsGate)
        {
            return _metrics.TryGetValue(resource, out var instruments)
                ? [.. instruments.OrderBy(i => i.Key.Meter, StringComparer.Ordinal).ThenBy(i => i.Key.Name, StringComparer.Ordinal)
                    .Select(i => Snapshot(resource, i.Key, i.Value, includePoints: false))]
                : [];
        }
    }

    public MetricInstrumentSnapshot? GetInstrument(string resource, string meter, string name)
    {
        lock (_metricsGate)
        {
            return _metrics.TryGetValue(resource, out var instruments) && instruments.TryGetValue((meter, name), out var instrument)
                ? Snapshot(resource, (meter, name), instrument, includePoints: true)
                : null;
        }
    }

    public int CountMetricPoints()
    {
        lock (_metricsGate)
        {
            return _metrics.Values.SelectMany(i => i.Values).SelectMany(i => i.Series.Values).Sum(s => s.Count);
        }
    }

    private static MetricInstrumentSnapshot Snapshot(string resource, (string Meter, string Name) key, Instrument instrument, bool includePoints) =>
        new(resource, key.Meter, key.Name, instrument.Description, instrument.Unit, instrument.Kind, instrument.IsMonotonic,
            [.. instrument.Series.Select(s => new MetricSeriesSnapshot(s.Key, includePoints ? [.. s.Value] : []))]);

    private static bool MatchesAttribute(IReadOnlyList<TelemetryAttribute> attributes, string filter)
    {
        var separator = filter.IndexOf('=', StringComparison.Ordinal);
        if (separator > 0)
        {
            var key = filter[..separator].Trim();
            var value = filter[(separator + 1)..].Trim();
            return attributes.Any(a => a.Key == key && a.Value.Contains(value, StringComparison.OrdinalIgnoreCase));
        }

        return attributes.Any(a => a.Key == filter || a.Value.Contains(filter, StringComparison.OrdinalIgnoreCase));
    }

    private IEnumerable<(string SeriesKey, MetricPoint Point)> Points(Metric metric, string instance)
    {
        switch (metric.DataCase)
        {
            case Metric.DataOneofCase.Gauge:
                return metric.Gauge.DataPoints.Select(p => (SeriesKey(p.Attributes, instance), NumberPoint(p)));
            case Metric.DataOneofCase.Sum:
                return metric.Sum.DataPoints.Select(p => (SeriesKey(p.Attributes, instance), NumberPoint(p)));
            case Metric.DataOneofCase.Histogram:
                return metric.Histogram.DataPoints.Select(p => (SeriesKey(p.Attributes, instance), new MetricPoint(
                    OtlpTime.FromUnixNanos(p.TimeUnixNano), p.HasSum ? p.Sum : 0, p.Count, p.HasSum ? p.Sum : null,
                    [.. p.BucketCounts.Take(500)], [.. p.ExplicitBounds.Take(500)])));
            default:
                return [];
        }
    }

    private static MetricPoint NumberPoint(NumberDataPoint point) => new(
        OtlpTime.FromUnixNanos(point.TimeUnixNano),
        point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble,
        0, null, [], []);

    private string SeriesKey(IEnumerable<KeyValue> attributes, string instance)
    {
        var parts = Attributes(attributes).OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}");
        return Truncate(string.Join(", ", parts.Prepend($"instance={instance}")));
    }

    private (string Resource, string Instance)? Identify(ProtoResource? resource)
    {
        var attributes = resource?.Attributes ?? [];
        var name = Truncate(Render(attributes.FirstOrDefault(a => a.Key == "service.name")?.Value), 200);
        var instance = Truncate(Render(attributes.FirstOrDefault(a => a.Key == "service.instance.id")?.Value), 200);
        if (name.Length == 0)
        {
            name = "unknown_service";
        }

        lock (_resourcesGate)
        {
            if (!_resources.Contains(name))
            {
                if (_resources.Count >= Limits.MaxResources)
                {
                    return null;
                }

                _resources.Add(name);
            }
        }

        return (name, instance);
    }

    private List<TelemetryAttribute> Attributes(IEnumerable<KeyValue> attributes) =>
        [.. attributes.Take(Limits.MaxAttributesPerItem).Select(a => new TelemetryAttribute(Truncate(a.Key, 256), Truncate(Render(a.Value))))];

    private string Truncate(string text) => Truncate(text, Limits.MaxStringLength);

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max] + "…";

    internal static string Render(AnyValue? value, int depth = 0)
    {
        if (value is null)
        {
            return "";
        }

        if (depth > 8)
        {
            return "…";
        }

        return value.ValueCase switch
        {
            AnyValue.ValueOneofCase.StringValue => value.StringValue,
            AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
            AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
            AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString("R", CultureInfo.InvariantCulture),
            AnyValue.ValueOneofCase.ArrayValue => "[" + string.Join(", ", value.ArrayValue.Values.Take(100).Select(v => Render(v, depth + 1))) + "]",
            AnyValue.ValueOneofCase.KvlistValue => "{" + string.Join(", ", value.KvlistValue.Values.Take(100).Select(kv => $"{kv.Key}={Render(kv.Value, depth + 1)}")) + "}",
            AnyValue.ValueOneofCase.BytesValue => Convert.ToBase64String(value.BytesValue.Span),
            _ => "",
        };
    }

    private static string Hex(ByteString bytes) =>
        bytes.Length is 0 or > 32 ? "" : Convert.ToHexStringLower(bytes.Span);

    private static string KindName(Span.Types.SpanKind kind) => kind switch
    {
        Span.Types.SpanKind.Server => "Server",
        Span.Types.SpanKind.Client => "Client",
        Span.Types.SpanKind.Producer => "Producer",
        Span.Types.SpanKind.Consumer => "Consumer",
        _ => "Internal",
    };

    private sealed class TraceBuffer
    {
        public List<SpanEntry> Spans { get; } = [];

        public int Dropped { get; set; }

        public ulong StartNanos { get; set; } = ulong.MaxValue;
    }

    private sealed class Instrument(string description, string unit, MetricKind kind, bool isMonotonic)
    {
        public string Description { get; } = description;

        public string Unit { get; } = unit;

        public MetricKind Kind { get; } = kind;

        public bool IsMonotonic { get; } = isMonotonic;

        public Dictionary<string, Queue<MetricPoint>> Series { get; } = new(StringComparer.Ordinal);
    }
}
