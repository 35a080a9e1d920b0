using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Reference.Gateway;
using Reference.Gateway.Authentication;
using Reference.Gateway.Authentication.Jwt;
using Reference.Gateway.Security;

namespace Microsoft.Extensions.Hosting;

internal static class GatewayAuthenticationServiceCollectionExtensions
{
    /// <summary>
    /// Edge authentication: JWT validation against the issuer's cached JWKS (loaded at startup, readiness
    /// reports Unhealthy until then), and stripping of inbound identity headers on every request.
    /// </summary>
    public static IHostApplicationBuilder AddGatewayAuthentication(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<JwtValidationOptions>().BindConfiguration(JwtValidationOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<JwtValidationOptions>, JwtValidationOptionsPostConfigure>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JwtValidationOptions>, JwtValidationOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GatewayTelemetry>();
        services.AddHttpClient(JwksCache.HttpClientName, client =>
        {
            client.Timeout = TimeSpan.FromSeconds(10);
            client.MaxResponseContentBufferSize = 1024 * 1024;
        }).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        services.TryAddSingleton<JwksCache>();
        services.TryAddSingleton<JwtTokenValidator>();
        services.AddHostedService<JwksWarmupService>();
        services.AddHealthChecks().AddCheck<JwksHealthCheck>(JwksHealthCheck.Name);
        services.AddInboundHeaderStripping();
        return builder;
    }

    /// <summary>The authentication stage: after routing (it reads the matched route's policy), before YARP forwards.</summary>
    public static IApplicationBuilder UseGatewayAuthentication(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.UseMiddleware<GatewayAuthenticationMiddleware>();
    }
}
