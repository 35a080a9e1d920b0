using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Reference.AppHost.Otlp;
using Reference.AppHost.Otlp.Proto.Collector;
using Reference.AppHost.Tests.Dashboard;
using static Reference.AppHost.Tests.Otlp.OtlpTestData;

namespace Reference.AppHost.Tests.Otlp;

public sealed class OtlpReceiverTests
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

    [Fact]
    public async Task Traces_ValidExport_AreStoredAndGroupedAcrossResources()
    {
        await using var dashboard = await DashboardTestHost.StartAsync();
        using var otlp = dashboard.CreateOtlpClient();

        using var first = await PostAsync(otlp, "/v1/traces", Traces("gateway", Span(TraceId, "00f067aa0ba902b7", null, "GET /api/orders", 0, 40)).ToByteArray(), dashboard.Host.OtlpApiKey);
        using var second = await PostAsync(otlp, "/v1/traces", Traces("orders", Span(TraceId, "00f067aa0ba902b8", "00f067aa0ba902b7", "GET /orders", 10, 30)).ToByteArray(), dashboard.Host.OtlpApiKey);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("application/x-protobuf", first.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(ExportTraceServiceResponse.Parser.ParseFrom(await second.Content.ReadAsByteArrayAsync()));
        var trace = dashboard.Host.Telemetry.GetTrace(TraceId)!;
        Assert.Equal([("gateway", 1), ("orders", 1)], trace.Resources);
        Assert.Equal("GET /api/orders", trace.Root.Name);
        Assert.Equal(TimeSpan.FromMilliseconds(40), trace.Duration);
        Assert.Contains(trace.Root.Attributes, a => a.Key == "http.route" && a.Value == "/api/GET /api/orders");
    }

    [Fact]
    public async Task Logs_ValidExport_AreStoredWithTraceIdAndAttributes()
    {
        await using var dashboard = await DashboardTestHost.StartAsync();
        using var otlp = dashboard.CreateOtlpClient();

        using var response = await PostAsync(otlp, "/v1/logs", Logs("orders", 3, "order listed", TraceId).ToByteArray(), dashboard.Host.OtlpApiKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var logs = dashboard.Host.Telemetry.GetLogs("orders", 0, null, TraceId, 10);
        Assert.Equal(["order listed 2", "order listed 1", "order listed 0"], logs.Select(l => l.Message));
        Assert.All(logs, l => Assert.Equal("Information", l.Level));
        Assert.Contains(logs[0].Attributes, a => a.Key == "index" && a.Value == "2");
    }

    [Fact]
    public async Task Metrics_GzipExport_IsDecompressedAndStored()
    {
        await using var dashboard = await DashboardTestHost.StartAsync();
        using var otlp = dashboard.CreateOtlpClient();
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            Histogram("gateway", "gateway.auth.duration", DateTimeOffset.UtcNow, [1, 2, 3], [0.01, 0.1]).WriteTo(gzip);
        }

        using var response = await PostAsync(otlp, "/v1/metrics", compressed.ToArray(), dashboard.Host.OtlpApiKey, gzip: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var instrument = dashboard.Host.Telemetry.GetInstrument("gateway", "Reference.Tests", "gateway.auth.duration")!;
        Assert.Equal(6UL, instrument.Series.Single().Points.Single().Count);
    }

    public static TheoryData<string, string?, string, byte[], HttpStatusCode, string> Rejections => new()
    {
        { "no key", null, "application/x-protobuf", Traces("gateway", Span(TraceId, "00f067aa0ba902b9", null, "x", 0, 1)).ToByteArray(), HttpStatusCode.Unauthorized, "missing_api_key" },
        { "wrong key", "wrong", "application/x-protobuf", Traces("gateway", Span(TraceId, "00f067aa0ba902b9", null, "x", 0, 1)).ToByteArray(), HttpStatusCode.Unauthorized, "invalid_api_key" },
        { "json", "valid", "application/json", "{\"resourceSpans\":[]}"u8.ToArray(), HttpStatusCode.UnsupportedMediaType, "unsupported_content_type" },
        { "form", "valid", "application/x-www-form-urlencoded", "a=b"u8.ToArray(), HttpStatusCode.UnsupportedMediaType, "unsupported_content_type" },
        { "oversize", "valid", "application/x-protobuf", new byte[5000], HttpStatusCode.RequestEntityTooLarge, "body_too_large" },
        { "truncated", "valid", "application/x-protobuf", Traces("gateway", Span(TraceId, "00f067aa0ba902b9", null, "x", 0, 1)).ToByteArray()[..20], HttpStatusCode.BadRequest, "malformed_protobuf" },
        { "garbage", "valid", "application/x-protobuf", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], HttpStatusCode.BadRequest, "malformed_protobuf" },
        { "wrong wire type", "valid", "application/x-protobuf", [0x0A, 0x05, 0x0D, 0x00, 0x00], HttpStatusCode.BadRequest, "malformed_protobuf" },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public async Task Traces_BadExport_IsRejectedAndStoresNothing(string name, string? key, string contentType, byte[] body, HttpStatusCode expected, string error)
    {
        await using var dashboard = await DashboardTestHost.StartAsync(maxOtlpBodyBytes: 4096);
        using var otlp = dashboard.CreateOtlpClient();
        using var stored = await PostAsync(otlp, "/v1/traces", Traces("gateway", Span(TraceId, "00f067aa0ba902b7", null, "kept", 0, 1)).ToByteArray(), dashboard.Host.OtlpApiKey);

        using var response = await PostAsync(otlp, "/v1/traces", body, key == "valid" ? dashboard.Host.OtlpApiKey : key, contentType: contentType);

        Assert.Equal(error, await HttpStatusAssert.ErrorCodeAsync(response, expected));
        var trace = dashboard.Host.Telemetry.GetTrace(TraceId)!;
        Assert.Equal("kept", Assert.Single(trace.Spans).Name);
        Assert.Equal(1, dashboard.Host.Telemetry.TraceCount);
        Assert.NotNull(name);
    }

    [Fact]
    public async Task Logs_GzipBombBeyondTheLimit_IsRejectedWith413()
    {
        await using var dashboard = await DashboardTestHost.StartAsync(maxOtlpBodyBytes: 64 * 1024);
        using var otlp = dashboard.CreateOtlpClient();
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(new byte[10 * 1024 * 1024]);
        }

        using var response = await PostAsync(otlp, "/v1/logs", compressed.ToArray(), dashboard.Host.OtlpApiKey, gzip: true);

        Assert.Equal("body_too_large", await HttpStatusAssert.ErrorCodeAsync(response, HttpStatusCode.RequestEntityTooLarge));
        Assert.Empty(dashboard.Host.Telemetry.GetLogs(null, 0, null, null, 10));
    }

    [Fact]
    public async Task Receiver_ApiKeyHeaderTwice_IsRejected()
    {
        await using var dashboard = await DashboardTestHost.StartAsync();
        using var otlp = dashboard.CreateOtlpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/logs") { Content = new ByteArrayContent(Logs("orders", 1).ToByteArray()) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        request.Headers.TryAddWithoutValidation(OtlpReceiver.ApiKeyHeader, [dashboard.Host.OtlpApiKey, dashboard.Host.OtlpApiKey]);

        using var response = await otlp.SendAsync(request);

        Assert.Equal("invalid_api_key", await HttpStatusAssert.ErrorCodeAsync(response, HttpStatusCode.Unauthorized));
        Assert.Empty(dashboard.Host.Telemetry.GetLogs(null, 0, null, null, 10));
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, byte[] body, string? apiKey, string contentType = "application/x-protobuf", bool gzip = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (gzip)
        {
            request.Content.Headers.ContentEncoding.Add("gzip");
        }

        if (apiKey is not null)
        {
            request.Headers.Add(OtlpReceiver.ApiKeyHeader, apiKey);
        }

        return await client.SendAsync(request);
    }
}
