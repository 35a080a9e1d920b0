using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Reference.Gateway.RateLimiting;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers and applies the gateway's limits on token-validated traffic.</summary>
internal static class GatewayRateLimitingServiceCollectionExtensions
{
    /// <summary>Options <c>Gateway:RateLimiting</c> (validated at start) over the shared distributed limiter
    /// (<c>RateLimiting</c> section; needs the <c>cache</c> Redis client).</summary>
    public static TBuilder AddGatewayRateLimiting<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.AddDistributedRateLimiting();
        builder.Services.AddOptions<GatewayRateLimitOptions>().BindConfiguration(GatewayRateLimitOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayRateLimitOptions>, GatewayRateLimitOptionsValidator>());
        return builder;
    }

    /// <summary>Call right after <c>UseGatewayAuthentication()</c>: it reads the authenticated caller.</summary>
    public static IApplicationBuilder UseGatewayRateLimiting(this IApplicationBuilder app) =>
        app.UseMiddleware<GatewayRateLimitingMiddleware>();
}
