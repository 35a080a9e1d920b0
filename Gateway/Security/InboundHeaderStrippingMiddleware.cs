using Microsoft.Extensions.Options;

namespace Reference.Gateway.Security;

/// <summary>
/// Removes spoofable identity headers from every request. The header collection is case-insensitive and
/// <c>Remove</c> drops every value, so all letter cases and all duplicates go at once.
/// </summary>
internal sealed class InboundHeaderStrippingMiddleware(
    RequestDelegate next,
    IOptions<InboundHeaderOptions> options,
    ILogger<InboundHeaderStrippingMiddleware> logger)
{
    private readonly IReadOnlyList<string> _headers = options.Value.AllHeaders();

    public Task InvokeAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
        foreach (var name in _headers)
        {
            if (headers.Remove(name))
            {
                SecurityLog.HeaderStripped(logger, name);
            }
        }

        return next(context);
    }
}

/// <summary>Puts header stripping first in the pipeline, ahead of routing and everything else.</summary>
internal sealed class InboundHeaderStrippingStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseMiddleware<InboundHeaderStrippingMiddleware>();
        next(app);
    };
}
