using Microsoft.Extensions.Configuration;
using OpenTelemetry.Exporter;

namespace Reference.ServiceDefaults.Telemetry;

/// <summary>
/// The OTLP settings read from configuration (environment variables included), in the OpenTelemetry
/// specification's names: <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, <c>OTEL_EXPORTER_OTLP_HEADERS</c>,
/// <c>OTEL_SERVICE_NAME</c>, <c>OTEL_RESOURCE_ATTRIBUTES</c>. Export is OTLP over HTTP/protobuf only.
/// </summary>
internal sealed record OtlpExportSettings(Uri? Endpoint, string? Headers, string ServiceName, IReadOnlyDictionary<string, object> ResourceAttributes)
{
    public const string EndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string HeadersKey = "OTEL_EXPORTER_OTLP_HEADERS";
    public const string ServiceNameKey = "OTEL_SERVICE_NAME";
    public const string ResourceAttributesKey = "OTEL_RESOURCE_ATTRIBUTES";

    public static OtlpExportSettings FromConfiguration(IConfiguration configuration, string applicationName)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        Uri? endpoint = null;
        var rawEndpoint = configuration[EndpointKey];
        if (!string.IsNullOrWhiteSpace(rawEndpoint))
        {
            if (!Uri.TryCreate(rawEndpoint, UriKind.Absolute, out endpoint)
                || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
            {
                throw new InvalidOperationException($"{EndpointKey} must be an absolute http(s) URL.");
            }
        }

        var attributes = ParseResourceAttributes(configuration[ResourceAttributesKey]);
        var serviceName = configuration[ServiceNameKey];
        if (string.IsNullOrWhiteSpace(serviceName))
        {
            serviceName = attributes.TryGetValue("service.name", out var fromAttributes) ? (string)fromAttributes : applicationName;
        }

        attributes.Remove("service.name");
        var headers = configuration[HeadersKey];
        return new OtlpExportSettings(endpoint, string.IsNullOrWhiteSpace(headers) ? null : headers, serviceName, attributes);
    }

    /// <summary>The signal's URL: with HTTP/protobuf, an endpoint set in code is used as is, so the
    /// <c>v1/traces</c>-style path is appended here.</summary>
    public Uri SignalEndpoint(string signalPath)
    {
        var baseUri = Endpoint ?? throw new InvalidOperationException($"{EndpointKey} is not set.");
        var text = baseUri.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return new Uri($"{text}/{signalPath}", UriKind.Absolute);
    }

    public void Apply(OtlpExporterOptions options, string signalPath)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Protocol = OtlpExportProtocol.HttpProtobuf;
        options.Endpoint = SignalEndpoint(signalPath);
        if (Headers is not null)
        {
            options.Headers = Headers;
        }
    }

    // W3C Baggage-like list: key1=value1,key2=value2, values percent-encoded.
    private static Dictionary<string, object> ParseResourceAttributes(string? raw)
    {
        var result = new Dictionary<string, object>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(raw))
        {
            return result;
        }

        foreach (var pair in raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var separator = pair.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                continue;
            }

            var key = pair[..separator].Trim();
            var value = Uri.UnescapeDataString(pair[(separator + 1)..].Trim());
            result[key] = value;
        }

        return result;
    }
}
