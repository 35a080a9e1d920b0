using Microsoft.Extensions.Options;

namespace Reference.Gateway.Tenancy;

/// <summary>
/// Keeps the client's tenant header as an untrusted resolution input before the header stripping removes it
/// (X-Tenant-Id is an identity header: downstream it is only ever set from the resolved, checked tenant).
/// </summary>
internal sealed class TenantHeaderCaptureMiddleware(RequestDelegate next, IOptionsMonitor<TenancyOptions> options)
{
    public Task InvokeAsync(HttpContext context)
    {
        var values = context.Request.Headers[options.CurrentValue.HeaderName];
        if (values.Count > 0)
        {
            context.Features.Set(new InboundTenantHeader(values));
        }

        return next(context);
    }
}

/// <summary>Registered before the header stripping's filter, so this middleware runs just ahead of it.</summary>
internal sealed class TenantHeaderCaptureStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseMiddleware<TenantHeaderCaptureMiddleware>();
        next(app);
    };
}
