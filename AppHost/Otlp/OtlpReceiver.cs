using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Reference.AppHost.Otlp.Proto.Collector;
using Reference.AppHost.Otlp.Storage;

namespace Reference.AppHost.Otlp;

/// <summary>
/// OTLP/HTTP receiver: <c>POST /v1/traces</c>, <c>/v1/logs</c>, <c>/v1/metrics</c> with
/// <c>application/x-protobuf</c> bodies (optionally gzip-encoded), authenticated by the per-run API key
/// header. Checks run in order: API key (401), content type (415), size (413), protobuf (400); a batch is
/// stored only once it decoded completely, so a rejected export changes nothing.
/// </summary>
internal sealed class OtlpReceiver(TelemetryStore store, string apiKey, long maxBodyBytes)
{
    public const string ApiKeyHeader = "x-otlp-api-key";
    private const string ProtobufContentType = "application/x-protobuf";

    private readonly byte[] _apiKeyHash = SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));

    public void Map(WebApplication app)
    {
        app.MapPost("/v1/traces", (HttpContext context) => ReceiveAsync(context, ExportTraceServiceRequest.Parser, store.AddTraces, new ExportTraceServiceResponse()));
        app.MapPost("/v1/logs", (HttpContext context) => ReceiveAsync(context, ExportLogsServiceRequest.Parser, store.AddLogs, new ExportLogsServiceResponse()));
        app.MapPost("/v1/metrics", (HttpContext context) => ReceiveAsync(context, ExportMetricsServiceRequest.Parser, store.AddMetrics, new ExportMetricsServiceResponse()));
    }

    internal bool IsValidApiKey(string? presented) =>
        presented is not null
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _apiKeyHash);

    private async Task ReceiveAsync<TRequest>(HttpContext context, MessageParser<TRequest> parser, Action<TRequest> store, IMessage response)
        where TRequest : IMessage<TRequest>
    {
        var presented = context.Request.Headers[ApiKeyHeader];
        if (presented.Count != 1 || !IsValidApiKey(presented[0]))
        {
            await ErrorAsync(context, StatusCodes.Status401Unauthorized, presented.Count == 0 ? "missing_api_key" : "invalid_api_key");
            return;
        }

        var mediaType = context.Request.ContentType?.Split(';', 2)[0].Trim();
        if (!string.Equals(mediaType, ProtobufContentType, StringComparison.OrdinalIgnoreCase))
        {
            await ErrorAsync(context, StatusCodes.Status415UnsupportedMediaType, "unsupported_content_type");
            return;
        }

        var encoding = context.Request.Headers.ContentEncoding.ToString();
        if (encoding.Length > 0 && !string.Equals(encoding, "gzip", StringComparison.OrdinalIgnoreCase))
        {
            await ErrorAsync(context, StatusCodes.Status415UnsupportedMediaType, "unsupported_content_encoding");
            return;
        }

        if (context.Request.ContentLength > maxBodyBytes)
        {
            await ErrorAsync(context, StatusCodes.Status413PayloadTooLarge, "body_too_large");
            return;
        }

        byte[]? body;
        try
        {
            body = await ReadBoundedAsync(context.Request.Body, encoding.Length > 0, context.RequestAborted);
        }
        catch (InvalidDataException)
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, "malformed_body");
            return;
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            body = null;
        }

        if (body is null)
        {
            await ErrorAsync(context, StatusCodes.Status413PayloadTooLarge, "body_too_large");
            return;
        }

        TRequest request;
        try
        {
            request = parser.ParseFrom(body);
        }
        catch (InvalidProtocolBufferException)
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, "malformed_protobuf");
            return;
        }

        store(request);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = ProtobufContentType;
        await context.Response.Body.WriteAsync(response.ToByteArray(), context.RequestAborted);
    }

    /// <summary>Reads the body (decompressed if gzip), or null when it exceeds the limit (a gzip bomb included).</summary>
    private async Task<byte[]?> ReadBoundedAsync(Stream body, bool gzip, CancellationToken cancellationToken)
    {
        await using var decompressed = gzip ? new GZipStream(body, CompressionMode.Decompress, leaveOpen: true) : null;
        var source = decompressed ?? body;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await source.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static Task ErrorAsync(HttpContext context, int status, string error)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync($"{{\"error\":\"{error}\"}}");
    }
}
