using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Reference.ServiceDefaults.Telemetry;

namespace Reference.ServiceDefaults;

/// <summary>
/// Puts the shared middleware in front of the application's own pipeline (and in front of the
/// authentication middleware WebApplication adds): forwarded headers first, so every later stage
/// sees the client address; then the ProblemDetails exception handler; then the trace filter for
/// health probes and the HTTP tags/name of the request's span.
/// </summary>
internal sealed class ServiceDefaultsStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        var forwarded = app.ApplicationServices.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value;
        if (forwarded.ForwardedHeaders != ForwardedHeaders.None)
        {
            // A connection without a remote address (in-process test servers) is never treated as a
            // known proxy: the middleware would otherwise accept the headers from it.
            app.UseWhen(
                context => context.Connection.RemoteIpAddress is not null,
                branch => branch.UseForwardedHeaders());
        }

        var environment = app.ApplicationServices.GetRequiredService<IHostEnvironment>();
        if (!environment.IsDevelopment())
        {
            // Writes a ProblemDetails 500 with no exception detail (IProblemDetailsService).
            app.UseExceptionHandler();
        }

        app.UseMiddleware<HealthProbeTraceFilterMiddleware>();
        app.UseMiddleware<HttpServerSpanMiddleware>();
        next(app);
    };
}
