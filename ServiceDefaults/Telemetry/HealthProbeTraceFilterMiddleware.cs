using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Reference.ServiceDefaults.Telemetry;

/// <summary>
/// Leaves health probes out of traces. ASP.NET Core starts its request activity before any
/// middleware runs (and, depending on the version, before the path is on it as a tag), so a
/// sampler cannot see the path reliably. This middleware runs first and clears the activity's
/// <c>Recorded</c> flag: OpenTelemetry's export processors skip activities that are not recorded,
/// and the parent-based sampler drops every child activity the probe would start.
/// </summary>
internal sealed class HealthProbeTraceFilterMiddleware
{
    private readonly RequestDelegate _next;
    private readonly PathString[] _untracedPaths;

    public HealthProbeTraceFilterMiddleware(RequestDelegate next, IOptions<ServiceTelemetryOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _next = next;
        _untracedPaths = [.. options.Value.UntracedPaths.Select(p => new PathString(p))];
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (IsUntraced(context.Request.Path)
            && context.Features.Get<IHttpActivityFeature>()?.Activity is { } activity)
        {
            Suppress(activity);
        }

        return _next(context);
    }

    internal static void Suppress(Activity activity)
    {
        activity.IsAllDataRequested = false;
        activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
    }

    private bool IsUntraced(PathString path)
    {
        foreach (var untraced in _untracedPaths)
        {
            if (path.StartsWithSegments(untraced, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
