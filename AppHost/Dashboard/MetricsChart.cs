using System.Globalization;
using System.Text;
using Reference.AppHost.Otlp.Storage;
using static Reference.AppHost.Dashboard.Html;

namespace Reference.AppHost.Dashboard;

/// <summary>
/// Renders an instrument over a time window as an SVG line chart (no script, no external library) and a
/// table of the latest values; histograms show count, sum, p50 and p95 over the window (from bucket deltas).
/// </summary>
internal static class MetricsChart
{
    private const int Width = 800;
    private const int Height = 240;
    private const int MaxSeries = 8;

    public static string Render(MetricInstrumentSnapshot instrument, TimeSpan window, DateTimeOffset now)
    {
        var from = now - window;
        var series = instrument.Series
            .Select(s => (s.Key, Points: s.Points.Where(p => p.Timestamp >= from).ToList()))
            .Where(s => s.Points.Count > 0)
            .Take(MaxSeries)
            .ToList();
        var html = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"<h2>{E(instrument.Name)} <span class=\"muted\">{E(instrument.Unit)}</span></h2>")
            .Append(CultureInfo.InvariantCulture, $"<p class=\"muted\">{E(instrument.Kind.ToString())}{(instrument.IsMonotonic ? " (monotonic, cumulative)" : "")} · {E(instrument.Description)}</p>");
        if (series.Count == 0)
        {
            return html.Append("<p class=\"muted\">No points in this window.</p>").ToString();
        }

        var lines = series.Select(s => (s.Key, Values: instrument.Kind == MetricKind.Histogram ? HistogramP95(s.Points) : [.. s.Points.Select(p => (p.Timestamp, p.Value))])).ToList();
        var all = lines.SelectMany(l => l.Values.Select(v => v.Value)).DefaultIfEmpty(0).ToList();
        var min = Math.Min(0, all.Min());
        var max = all.Max();
        if (max <= min)
        {
            max = min + 1;
        }

        html.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" id=\"chart\" viewBox=\"0 0 {Width} {Height + 20}\" role=\"img\">")
            .Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"0\" y1=\"{Height}\" x2=\"{Width}\" y2=\"{Height}\"></line>")
            .Append(CultureInfo.InvariantCulture, $"<text x=\"2\" y=\"12\" class=\"label\">{E(Number(max))}{(instrument.Kind == MetricKind.Histogram ? " (p95)" : "")}</text>")
            .Append(CultureInfo.InvariantCulture, $"<text x=\"2\" y=\"{Height - 4}\" class=\"label\">{E(Number(min))}</text>")
            .Append(CultureInfo.InvariantCulture, $"<text x=\"2\" y=\"{Height + 16}\" class=\"label\">{E(Time(from))}</text>")
            .Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - 2}\" y=\"{Height + 16}\" class=\"label end\">{E(Time(now))}</text>");
        for (var i = 0; i < lines.Count; i++)
        {
            var points = lines[i].Values.Select(v =>
            {
                var x = (v.Timestamp - from).TotalMilliseconds / window.TotalMilliseconds * Width;
                var y = Height - ((v.Value - min) / (max - min) * (Height - 16));
                return string.Create(CultureInfo.InvariantCulture, $"{Math.Clamp(x, 0, Width):0.#},{y:0.#}");
            });
            html.Append(CultureInfo.InvariantCulture, $"<polyline class=\"series-{i}\" points=\"{string.Join(" ", points)}\"></polyline>");
        }

        html.Append("</svg>");
        html.Append(instrument.Kind == MetricKind.Histogram
            ? "<table class=\"grid\" id=\"series\"><thead><tr><th>Series</th><th>Count</th><th>Sum</th><th>p50</th><th>p95</th></tr></thead><tbody>"
            : "<table class=\"grid\" id=\"series\"><thead><tr><th>Series</th><th>Latest</th><th>Min</th><th>Max</th></tr></thead><tbody>");
        for (var i = 0; i < series.Count; i++)
        {
            var (key, points) = series[i];
            html.Append(CultureInfo.InvariantCulture, $"<tr><td><span class=\"swatch series-{i}\"></span> {E(key)}</td>");
            if (instrument.Kind == MetricKind.Histogram)
            {
                var (count, sum, buckets, bounds) = WindowDelta(points);
                html.Append(CultureInfo.InvariantCulture, $"<td>{count}</td><td>{E(Number(sum))}</td>")
                    .Append(CultureInfo.InvariantCulture, $"<td>{E(Number(Percentile(buckets, bounds, 0.5)))}</td><td>{E(Number(Percentile(buckets, bounds, 0.95)))}</td></tr>");
            }
            else
            {
                html.Append(CultureInfo.InvariantCulture, $"<td>{E(Number(points[^1].Value))}</td><td>{E(Number(points.Min(p => p.Value)))}</td><td>{E(Number(points.Max(p => p.Value)))}</td></tr>");
            }
        }

        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>
    /// The distribution over the window: the last cumulative point minus the first (the .NET SDK exports
    /// cumulative histograms); a single point is taken as is.
    /// </summary>
    internal static (ulong Count, double Sum, IReadOnlyList<ulong> Buckets, IReadOnlyList<double> Bounds) WindowDelta(IReadOnlyList<MetricPoint> points)
    {
        var last = points[^1];
        var first = points[0];
        if (points.Count == 1 || first.Count > last.Count || first.BucketCounts.Count != last.BucketCounts.Count)
        {
            return (last.Count, last.Sum ?? 0, last.BucketCounts, last.Bounds);
        }

        return (last.Count - first.Count, (last.Sum ?? 0) - (first.Sum ?? 0),
            [.. last.BucketCounts.Select((c, i) => c - Math.Min(c, first.BucketCounts[i]))], last.Bounds);
    }

    /// <summary>A quantile from explicit-bucket counts, interpolated linearly inside the bucket.</summary>
    internal static double Percentile(IReadOnlyList<ulong> buckets, IReadOnlyList<double> bounds, double quantile)
    {
        var total = buckets.Aggregate(0UL, (a, b) => a + b);
        if (total == 0 || bounds.Count == 0)
        {
            return 0;
        }

        var rank = quantile * total;
        var cumulative = 0UL;
        for (var i = 0; i < buckets.Count; i++)
        {
            var previous = cumulative;
            cumulative += buckets[i];
            if (cumulative >= rank && buckets[i] > 0)
            {
                var lower = i == 0 ? Math.Min(0, bounds[0]) : bounds[i - 1];
                var upper = i < bounds.Count ? bounds[i] : bounds[^1];
                return lower + ((upper - lower) * ((rank - previous) / buckets[i]));
            }
        }

        return bounds[^1];
    }

    private static List<(DateTimeOffset Timestamp, double Value)> HistogramP95(List<MetricPoint> points)
    {
        var values = new List<(DateTimeOffset, double)>();
        for (var i = 0; i < points.Count; i++)
        {
            var slice = i == 0 ? [points[0]] : new[] { points[i - 1], points[i] };
            var (count, _, buckets, bounds) = WindowDelta(slice);
            if (count > 0)
            {
                values.Add((points[i].Timestamp, Percentile(buckets, bounds, 0.95)));
            }
        }

        return values;
    }
}
