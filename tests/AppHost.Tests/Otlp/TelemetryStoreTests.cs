using Reference.AppHost.Otlp;
using Reference.AppHost.Otlp.Storage;
using Reference.TestUtilities;
using static Reference.AppHost.Tests.Otlp.OtlpTestData;

namespace Reference.AppHost.Tests.Otlp;

public sealed class TelemetryStoreTests
{
    [Fact]
    public void Logs_ContinuousLoad_StayAtTheBoundPerResource()
    {
        var store = new TelemetryStore(new TelemetryLimits { MaxLogEntriesPerResource = 100 }, new FakeTimeProvider(Epoch));

        for (var batch = 0; batch < 200; batch++)
        {
            store.AddLogs(Logs("gateway", 50, $"batch {batch}"));
            store.AddLogs(Logs("orders", 7));
        }

        Assert.Equal(100, store.CountLogs("gateway"));
        Assert.Equal(100, store.CountLogs("orders"));
        var newest = store.GetLogs("gateway", 0, null, null, 1000);
        Assert.Equal(100, newest.Count);
        Assert.All(newest.Take(50), e => Assert.StartsWith("batch 199 ", e.Message, StringComparison.Ordinal));
        Assert.All(newest.Skip(50), e => Assert.StartsWith("batch 198 ", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Traces_ContinuousLoad_KeepTheNewestTracesAndBoundedSpans()
    {
        var store = new TelemetryStore(new TelemetryLimits { MaxTraces = 10, MaxSpansPerTrace = 3 }, new FakeTimeProvider(Epoch));

        for (var i = 0; i < 1000; i++)
        {
            var traceId = i.ToString("x32", System.Globalization.CultureInfo.InvariantCulture);
            store.AddTraces(Traces("gateway", Span(traceId, "0000000000000001", null, "GET", i, i + 1)));
        }

        var crowded = new string('a', 32);
        for (var i = 1; i <= 10; i++)
        {
            store.AddTraces(Traces("orders", Span(crowded, i.ToString("x16", System.Globalization.CultureInfo.InvariantCulture), null, "work", i, i + 1)));
        }

        Assert.Equal(10, store.TraceCount);
        Assert.Null(store.GetTrace(0.ToString("x32", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.NotNull(store.GetTrace(999.ToString("x32", System.Globalization.CultureInfo.InvariantCulture)));
        var bounded = store.GetTrace(crowded)!;
        Assert.Equal(3, bounded.Spans.Count);
        Assert.Equal(7, bounded.DroppedSpans);
    }

    [Fact]
    public void Metrics_PointsOlderThanTheWindow_AreDropped()
    {
        var clock = new FakeTimeProvider(Epoch);
        var store = new TelemetryStore(new TelemetryLimits { MetricsWindow = TimeSpan.FromMinutes(30), MaxPointsPerSeries = 10_000 }, clock);

        for (var minute = 0; minute < 120; minute++)
        {
            store.AddMetrics(Gauge("gateway", "queue.length", clock.GetUtcNow(), minute));
            clock.Advance(TimeSpan.FromMinutes(1));
        }

        var points = store.GetInstrument("gateway", "Reference.Tests", "queue.length")!.Series.Single().Points;
        Assert.Equal(31, points.Count);
        Assert.Equal(89, points[0].Value);
        Assert.Equal(119, points[^1].Value);
        Assert.Equal(31, store.CountMetricPoints());
    }

    [Fact]
    public void Metrics_ManyPointsInTheWindow_StayAtTheBoundPerSeries()
    {
        var clock = new FakeTimeProvider(Epoch);
        var store = new TelemetryStore(new TelemetryLimits { MaxPointsPerSeries = 50 }, clock);

        for (var i = 0; i < 5000; i++)
        {
            store.AddMetrics(Gauge("gateway", "queue.length", clock.GetUtcNow(), i));
            clock.Advance(TimeSpan.FromMilliseconds(10));
        }

        Assert.Equal(50, store.CountMetricPoints());
    }

    [Fact]
    public void Resources_MoreServiceNamesThanTheLimit_FurtherNamesAreDropped()
    {
        var store = new TelemetryStore(new TelemetryLimits { MaxResources = 3 }, new FakeTimeProvider(Epoch));

        for (var i = 0; i < 20; i++)
        {
            store.AddLogs(Logs($"service-{i}", 1));
        }

        Assert.Equal(["service-0", "service-1", "service-2"], store.GetResources());
        Assert.Equal(3, store.GetLogs(null, 0, null, null, 100).Count);
    }

    [Fact]
    public void Logs_Filters_ApplyResourceLevelTextAndTraceId()
    {
        var store = new TelemetryStore(new TelemetryLimits(), new FakeTimeProvider(Epoch));
        var traceId = new string('b', 32);
        store.AddLogs(Logs("gateway", 5, "proxied", traceId));
        store.AddLogs(Logs("orders", 5, "listed"));

        Assert.Equal(5, store.GetLogs("gateway", 0, null, null, 100).Count);
        Assert.Equal(5, store.GetLogs(null, 0, null, traceId.ToUpperInvariant(), 100).Count);
        Assert.Single(store.GetLogs(null, 0, "listed 3", null, 100));
        Assert.Empty(store.GetLogs(null, 13, null, null, 100));
    }

    [Theory]
    [InlineData(0.375, 7.5)]
    [InlineData(0.5, 10)]
    [InlineData(0.95, 19)]
    public void Percentile_ExplicitBuckets_InterpolatesInsideTheBucket(double quantile, double expected)
    {
        // 10 values in (0, 5], 10 in (5, 10], 20 in (10, 20].
        var value = Reference.AppHost.Dashboard.MetricsChart.Percentile([10, 10, 20, 0], [5, 10, 20], quantile);

        Assert.Equal(expected, value, 3);
    }
}
