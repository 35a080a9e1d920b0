using Google.Protobuf;
using Reference.AppHost.Otlp.Proto.Collector;
using Reference.AppHost.Otlp.Proto.Common;
using Reference.AppHost.Otlp.Proto.Logs;
using Reference.AppHost.Otlp.Proto.Metrics;
using Reference.AppHost.Otlp.Proto.Trace;
using ProtoResource = Reference.AppHost.Otlp.Proto.Resource.Resource;
using ProtoSpan = Reference.AppHost.Otlp.Proto.Trace.Span;

namespace Reference.AppHost.Tests.Otlp;

/// <summary>Builds OTLP export requests with the generated types, as an exporter would send them.</summary>
internal static class OtlpTestData
{
    public static readonly DateTimeOffset Epoch = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    public static ProtoResource Resource(string serviceName, string instance = "i-0") => new()
    {
        Attributes =
        {
            new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = serviceName } },
            new KeyValue { Key = "service.instance.id", Value = new AnyValue { StringValue = instance } },
        },
    };

    public static ulong Nanos(DateTimeOffset time) => (ulong)(time - DateTimeOffset.UnixEpoch).Ticks * 100;

    public static ByteString Id(string hex) => ByteString.CopyFrom(Convert.FromHexString(hex));

    public static ProtoSpan Span(string traceId, string spanId, string? parentId, string name, double startMs, double endMs, bool error = false)
    {
        var span = new ProtoSpan
        {
            TraceId = Id(traceId),
            SpanId = Id(spanId),
            Name = name,
            Kind = parentId is null ? ProtoSpan.Types.SpanKind.Server : ProtoSpan.Types.SpanKind.Client,
            StartTimeUnixNano = Nanos(Epoch.AddMilliseconds(startMs)),
            EndTimeUnixNano = Nanos(Epoch.AddMilliseconds(endMs)),
            Status = new Status { Code = error ? Status.Types.StatusCode.Error : Status.Types.StatusCode.Unset },
            Attributes = { new KeyValue { Key = "http.route", Value = new AnyValue { StringValue = "/api/" + name } } },
        };
        if (parentId is not null)
        {
            span.ParentSpanId = Id(parentId);
        }

        return span;
    }

    public static ExportTraceServiceRequest Traces(string serviceName, params ProtoSpan[] spans) => new()
    {
        ResourceSpans =
        {
            new ResourceSpans
            {
                Resource = Resource(serviceName),
                ScopeSpans = { new ScopeSpans { Scope = new InstrumentationScope { Name = "Microsoft.AspNetCore" }, Spans = { spans } } },
            },
        },
    };

    public static ExportLogsServiceRequest Logs(string serviceName, int count, string message = "hello", string? traceId = null)
    {
        var scope = new ScopeLogs { Scope = new InstrumentationScope { Name = "Reference.Tests" } };
        for (var i = 0; i < count; i++)
        {
            var record = new LogRecord
            {
                TimeUnixNano = Nanos(Epoch.AddMilliseconds(i)),
                SeverityNumber = SeverityNumber.Info,
                SeverityText = "Information",
                Body = new AnyValue { StringValue = $"{message} {i}" },
                Attributes = { new KeyValue { Key = "index", Value = new AnyValue { IntValue = i } } },
            };
            if (traceId is not null)
            {
                record.TraceId = Id(traceId);
                record.SpanId = Id("00f067aa0ba902b7");
            }

            scope.LogRecords.Add(record);
        }

        return new ExportLogsServiceRequest { ResourceLogs = { new ResourceLogs { Resource = Resource(serviceName), ScopeLogs = { scope } } } };
    }

    public static ExportMetricsServiceRequest Gauge(string serviceName, string name, DateTimeOffset time, double value) => new()
    {
        ResourceMetrics =
        {
            new ResourceMetrics
            {
                Resource = Resource(serviceName),
                ScopeMetrics =
                {
                    new ScopeMetrics
                    {
                        Scope = new InstrumentationScope { Name = "Reference.Tests" },
                        Metrics = { new Metric { Name = name, Unit = "{item}", Gauge = new Gauge { DataPoints = { new NumberDataPoint { TimeUnixNano = Nanos(time), AsDouble = value } } } } },
                    },
                },
            },
        },
    };

    public static ExportMetricsServiceRequest Histogram(string serviceName, string name, DateTimeOffset time, ulong[] buckets, double[] bounds)
    {
        var point = new HistogramDataPoint { TimeUnixNano = Nanos(time), Count = buckets.Aggregate(0UL, (a, b) => a + b), Sum = 1 };
        point.BucketCounts.AddRange(buckets);
        point.ExplicitBounds.AddRange(bounds);
        return new ExportMetricsServiceRequest
        {
            ResourceMetrics =
            {
                new ResourceMetrics
                {
                    Resource = Resource(serviceName),
                    ScopeMetrics =
                    {
                        new ScopeMetrics
                        {
                            Scope = new InstrumentationScope { Name = "Reference.Tests" },
                            Metrics = { new Metric { Name = name, Unit = "s", Histogram = new Histogram { DataPoints = { point }, AggregationTemporality = AggregationTemporality.Cumulative } } },
                        },
                    },
                },
            },
        };
    }
}
