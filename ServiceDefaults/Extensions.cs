using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Reference.ServiceDefaults;
using Reference.ServiceDefaults.TrustedProxies;
using Reference.ServiceDefaults.Health;
using Reference.ServiceDefaults.ServiceDiscovery;
using Reference.ServiceDefaults.Telemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every Reference service shares: telemetry, health endpoints, service discovery, forwarded
/// headers from known proxies only, and ProblemDetails for unhandled errors.
/// </summary>
public static class Extensions
{
    /// <summary>The readiness endpoint: every health check must pass.</summary>
    public const string HealthEndpointPath = "/health";

    /// <summary>The liveness endpoint: only checks tagged <c>live</c>.</summary>
    public const string AlivenessEndpointPath = "/alive";

    /// <summary>The tag that puts a health check on the liveness endpoint.</summary>
    public const string LiveTag = "live";

    /// <summary>
    /// Adds the shared service defaults: OpenTelemetry tracing, metrics and logging (OTLP/HTTP export
    /// when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set), health checks, configuration-based service
    /// discovery, forwarded headers from the proxies in <c>ForwardedHeaders:KnownProxies</c> /
    /// <c>ForwardedHeaders:KnownNetworks</c> only, and ProblemDetails for unhandled errors.
    /// </summary>
    /// <typeparam name="TBuilder">The host builder type.</typeparam>
    /// <param name="builder">The application builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddServiceTelemetry();
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        builder.Services.AddConfigurationServiceDiscovery();
        builder.Services.AddTrustedForwardedHeaders();
        builder.Services.AddProblemDetails();
        builder.Services.AddTransient<IStartupFilter, ServiceDefaultsStartupFilter>();
        builder.Services.AddParentProcessWatcher();
        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c> (readiness: every check) and <c>/alive</c> (liveness: checks tagged
    /// <c>live</c>). Both answer anonymously with a JSON status per check, never a check's description
    /// or exception, and are left out of traces.
    /// </summary>
    /// <param name="app">The application.</param>
    /// <returns>The same application, for chaining.</returns>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions
        {
            ResponseWriter = HealthResponseWriter.WriteAsync,
        }).AllowAnonymous();
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains(LiveTag),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        }).AllowAnonymous();
        return app;
    }
}
