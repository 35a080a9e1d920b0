using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Reference.ServiceDefaults.Telemetry;

/// <summary>
/// OpenTelemetry with the SDK alone (the hosting and instrumentation packages are not available):
/// ASP.NET Core and HttpClient emit Activities and Meters natively, so the providers only listen.
/// </summary>
internal static class TelemetryServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddServiceTelemetry(this IHostApplicationBuilder builder)
    {
        var settings = OtlpExportSettings.FromConfiguration(builder.Configuration, builder.Environment.ApplicationName);
        builder.Services.AddOptions<ServiceTelemetryOptions>();
        builder.Services.TryAddSingleton(settings);

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
            logging.SetResourceBuilder(CreateResource(settings));
            if (settings.Endpoint is not null)
            {
                logging.AddOtlpExporter(otlp => settings.Apply(otlp, "v1/logs"));
            }
        });

        builder.Services.TryAddSingleton(CreateTracerProvider);
        builder.Services.TryAddSingleton(CreateMeterProvider);
        builder.Services.AddHostedService<TelemetryProvidersHostedService>();
        return builder;
    }

    private static TracerProvider CreateTracerProvider(IServiceProvider services)
    {
        var settings = services.GetRequiredService<OtlpExportSettings>();
        var options = services.GetRequiredService<IOptions<ServiceTelemetryOptions>>().Value;
        var tracing = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(CreateResource(settings))
            .SetSampler(new ParentBasedSampler(new AlwaysOnSampler()))
            .AddSource([.. options.ActivitySources]);
        foreach (var processor in services.GetServices<BaseProcessor<Activity>>())
        {
            tracing.AddProcessor(processor);
        }

        if (settings.Endpoint is not null)
        {
            tracing.AddOtlpExporter(otlp => settings.Apply(otlp, "v1/traces"));
        }

        return tracing.Build();
    }

    private static MeterProvider CreateMeterProvider(IServiceProvider services)
    {
        var settings = services.GetRequiredService<OtlpExportSettings>();
        var options = services.GetRequiredService<IOptions<ServiceTelemetryOptions>>().Value;
        var metrics = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(CreateResource(settings))
            .AddMeter([.. options.Meters]);
        if (settings.Endpoint is not null)
        {
            metrics.AddOtlpExporter(otlp => settings.Apply(otlp, "v1/metrics"));
        }

        return metrics.Build();
    }

    private static ResourceBuilder CreateResource(OtlpExportSettings settings) =>
        ResourceBuilder.CreateEmpty()
            .AddService(
                settings.ServiceName,
                autoGenerateServiceInstanceId: !settings.ResourceAttributes.ContainsKey("service.instance.id"))
            .AddTelemetrySdk()
            .AddAttributes(settings.ResourceAttributes);
}
