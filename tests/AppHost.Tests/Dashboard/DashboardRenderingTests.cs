using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Reference.AppHost.Dashboard;
using Reference.AppHost.Otlp;
using Reference.AppHost.Otlp.Storage;
using Reference.AppHost.Otlp.Proto.Common;
using static Reference.AppHost.Tests.Otlp.OtlpTestData;

namespace Reference.AppHost.Tests.Dashboard;

public sealed class DashboardRenderingTests
{
    private const string TraceId = "0af7651916cd43dd8448eb211c80319c";
    private const string Hostile = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>";

    [Fact]
    public async Task TracePages_HostileSpanNamesAndAttributes_AreEncoded()
    {
        await using var dashboard = await DashboardTestHost.StartAsync();
        var span = Span(TraceId, "b7ad6b7169203331", null, Hostile, 0, 5);
        span.Attributes.Add(new KeyValue { Key = Hostile, Value = new AnyValue { StringValue = Hostile } });
        span.Events.Add(new Reference.AppHost.Otlp.Proto.Trace.Span.Types.Event { Name = Hostile, TimeUnixNano = span.StartTimeUnixNano });
        await ExportAsync(dashboard, "/v1/traces", Traces("evil<b>service", span));
        using var client = dashboard.CreateSignedInClient();

        var list = await client.GetStringAsync("/traces");
        var detail = await client.GetStringAsync($"/traces/{TraceId}");

        foreach (var html in new[] { list, detail })
        {
            Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
            Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task LogPages_HostileMessageAndAttributes_AreEncoded()
    {
        await using var dashboard = await DashboardTestHost.StartAsync();
        var logs = Logs("orders", 1, Hostile);
        logs.ResourceLogs[0].ScopeLogs[0].LogRecords[0].Attributes.Add(new KeyValue { Key = "exception.message", Value = new AnyValue { StringValue = Hostile } });
        await ExportAsync(dashboard, "/v1/logs", logs);
        dashboard.ConsoleLogs.Append("orders", Hostile);
        using var client = dashboard.CreateSignedInClient();
        var id = dashboard.Host.Telemetry.GetLogs(null, 0, null, null, 1).Single().Id;

        var list = await client.GetStringAsync("/structuredlogs");
        var detail = await client.GetStringAsync($"/structuredlogs/{id}");
        dashboard.Notifications.Initialize(new DashboardAccessTests.TestResource("orders"));
        var console = await client.GetStringAsync("/console?resource=orders");

        foreach (var html in new[] { list, detail, console })
        {
            Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
            Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        }

        Assert.Contains("<h2>Exception</h2>", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resources_HostileUrlsAndMessages_AreNotLinkedOrInjected()
    {
        await using var dashboard = await DashboardTestHost.StartAsync();
        dashboard.Notifications.Initialize(new DashboardAccessTests.TestResource("orders"));
        dashboard.Notifications.Publish("orders", s => s! with { Urls = ["javascript:alert(1)", "http://127.0.0.1:5000"], Message = Hostile });
        using var client = dashboard.CreateSignedInClient();

        var html = await client.GetStringAsync("/resources?partial=1");

        Assert.DoesNotContain("href=\"javascript:", html, StringComparison.Ordinal);
        Assert.Contains("href=\"http://127.0.0.1:5000/\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Waterfall_SpansFromSeveralResources_AreNestedUnderTheirParentsInStartOrder()
    {
        var store = new TelemetryStore(new TelemetryLimits(), TimeProvider.System);
        store.AddTraces(Traces("inventory", Span(TraceId, "0000000000000004", "0000000000000003", "GET /items", 50, 90)));
        store.AddTraces(Traces("gateway",
            Span(TraceId, "0000000000000001", null, "GET /api/orders", 0, 100),
            Span(TraceId, "0000000000000002", "0000000000000001", "POST /connect/token", 5, 20),
            Span(TraceId, "0000000000000003", "0000000000000001", "GET orders", 30, 95)));
        store.AddTraces(Traces("identity", Span(TraceId, "0000000000000005", "0000000000000002", "token exchange", 6, 18, error: true)));
        var trace = store.GetTrace(TraceId)!;

        var order = DashboardPagesAccessor.WaterfallOrder(trace);

        Assert.Equal(
            [("GET /api/orders", 0), ("POST /connect/token", 1), ("token exchange", 2), ("GET orders", 1), ("GET /items", 2)],
            order.Select(o => (o.Span.Name, o.Depth)));
        Assert.Equal([("gateway", 3), ("identity", 1), ("inventory", 1)], trace.Resources);
        Assert.True(trace.HasError);
    }

    [Fact]
    public async Task TraceDetail_Waterfall_PlacesBarsInPercentOfTheTrace()
    {
        await using var dashboard = await DashboardTestHost.StartAsync();
        await ExportAsync(dashboard, "/v1/traces", Traces("gateway",
            Span(TraceId, "0000000000000001", null, "GET /api/orders", 0, 200),
            Span(TraceId, "0000000000000002", "0000000000000001", "GET orders", 50, 150)));
        await ExportAsync(dashboard, "/v1/traces", Traces("orders", Span(TraceId, "0000000000000003", "0000000000000002", "GET /orders", 100, 150)));
        using var client = dashboard.CreateSignedInClient();

        var html = await client.GetStringAsync($"/traces/{TraceId}?span=0000000000000003");

        Assert.Contains("<rect x=\"0\" y=\"1\" width=\"100\"", html, StringComparison.Ordinal);
        Assert.Contains("<rect x=\"25\" y=\"1\" width=\"50\"", html, StringComparison.Ordinal);
        Assert.Contains("<rect x=\"50\" y=\"1\" width=\"25\"", html, StringComparison.Ordinal);
        Assert.Contains("class=\"selected\" data-span-id=\"0000000000000003\" data-resource=\"orders\"", html, StringComparison.Ordinal);
        Assert.Contains("<section class=\"span-detail\" id=\"span-detail\"><h2>GET /orders</h2>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TraceDetail_UnknownTrace_Returns404()
    {
        await using var dashboard = await DashboardTestHost.StartAsync();
        using var client = dashboard.CreateSignedInClient();

        using var response = await client.GetAsync($"/traces/{TraceId}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Metrics_Histogram_RendersAnSvgChartWithPercentiles()
    {
        await using var dashboard = await DashboardTestHost.StartAsync();
        var now = DateTimeOffset.UtcNow;
        await ExportAsync(dashboard, "/v1/metrics", Histogram("gateway", "gateway.auth.duration", now.AddSeconds(-20), [0, 0, 0], [0.01, 0.1]));
        await ExportAsync(dashboard, "/v1/metrics", Histogram("gateway", "gateway.auth.duration", now.AddSeconds(-10), [10, 10, 20], [5, 10, 20]));
        using var client = dashboard.CreateSignedInClient();

        var html = await client.GetStringAsync("/metrics?resource=gateway&meter=Reference.Tests&instrument=gateway.auth.duration&window=5");

        Assert.Contains("<svg class=\"chart\"", html, StringComparison.Ordinal);
        Assert.Contains("<polyline class=\"series-0\"", html, StringComparison.Ordinal);
        Assert.Contains("<th>p50</th><th>p95</th>", html, StringComparison.Ordinal);
        Assert.Contains("gateway.auth.duration", html, StringComparison.Ordinal);
    }

    private static async Task ExportAsync(DashboardTestHost dashboard, string path, IMessage message)
    {
        using var otlp = dashboard.CreateOtlpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(message.ToByteArray()) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        request.Headers.Add(OtlpReceiver.ApiKeyHeader, dashboard.Host.OtlpApiKey);
        using var response = await otlp.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static class DashboardPagesAccessor
    {
        public static IReadOnlyList<(SpanEntry Span, int Depth)> WaterfallOrder(TraceSnapshot trace) => DashboardPages.WaterfallOrder(trace);
    }
}
