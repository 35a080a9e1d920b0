using Microsoft.Extensions.Configuration;
using OpenTelemetry.Exporter;
using Reference.ServiceDefaults.Telemetry;

namespace Reference.ServiceDefaults.Tests.Telemetry;

public sealed class OtlpExportSettingsTests
{
    private static OtlpExportSettings Read(Dictionary<string, string?> values) =>
        OtlpExportSettings.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), "Orders.Api");

    [Fact]
    public void Settings_NoEndpoint_ExportIsOff()
    {
        var settings = Read([]);

        Assert.Null(settings.Endpoint);
        Assert.Equal("Orders.Api", settings.ServiceName);
    }

    [Theory]
    [InlineData("http://127.0.0.1:4318", "v1/traces", "http://127.0.0.1:4318/v1/traces")]
    [InlineData("http://127.0.0.1:4318/", "v1/metrics", "http://127.0.0.1:4318/v1/metrics")]
    [InlineData("http://collector/otlp", "v1/logs", "http://collector/otlp/v1/logs")]
    public void Settings_Endpoint_AppliesHttpProtobufWithSignalPath(string endpoint, string signal, string expected)
    {
        var settings = Read(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint, ["OTEL_EXPORTER_OTLP_HEADERS"] = "x-api-key=abc" });
        var options = new OtlpExporterOptions();

        settings.Apply(options, signal);

        Assert.Equal(OtlpExportProtocol.HttpProtobuf, options.Protocol);
        Assert.Equal(new Uri(expected), options.Endpoint);
        Assert.Equal("x-api-key=abc", options.Headers);
    }

    [Fact]
    public void Settings_ServiceNameAndResourceAttributes_AreRead()
    {
        var settings = Read(new()
        {
            ["OTEL_SERVICE_NAME"] = "orders",
            ["OTEL_RESOURCE_ATTRIBUTES"] = "service.instance.id=abc123,service.name=ignored,deployment.environment=dev%20box",
        });

        Assert.Equal("orders", settings.ServiceName);
        Assert.Equal("abc123", settings.ResourceAttributes["service.instance.id"]);
        Assert.Equal("dev box", settings.ResourceAttributes["deployment.environment"]);
        Assert.False(settings.ResourceAttributes.ContainsKey("service.name"));
    }

    [Fact]
    public void Settings_MalformedEndpoint_ThrowsNamingTheVariable()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Read(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "not a url" }));

        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT", error.Message, StringComparison.Ordinal);
    }
}
