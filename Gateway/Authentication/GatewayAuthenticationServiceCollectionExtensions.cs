using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Reference.Gateway;
using Reference.Gateway.Authentication;
using Reference.Gateway.Authentication.Jwt;
using Reference.Gateway.Security;
using Reference.Gateway.Tenancy;

namespace Microsoft.Extensions.Hosting;

internal static class GatewayAuthenticationServiceCollectionExtensions
{
    /// <summary>
    /// Edge authentication: the authentication schemes (<c>jwt</c> here; introspection and sessions register their own
    /// <see cref="IGatewayAuthenticationScheme"/>), JWT validation against each issuer's cached JWKS (loaded at
    /// startup, readiness reports Unhealthy until then), tenancy, and stripping of inbound identity headers.
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

        // Every scheme's verdict is checked against the revocation denylist (filled by AddRevocationConsumer()).
        services.AddRevocationDenylist();
        services.AddHttpClient(JwksCache.HttpClientName, client =>
        {
            client.Timeout = TimeSpan.FromSeconds(10);
            client.MaxResponseContentBufferSize = 1024 * 1024;
        }).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        services.TryAddSingleton<JwksCacheRegistry>();
        services.TryAddSingleton<ValidatedTokenCache>();
        services.AddSingleton<Reference.ServiceDefaults.Revocation.IRevocationListener>(sp => sp.GetRequiredService<ValidatedTokenCache>());
        services.TryAddSingleton<JwtTokenValidator>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGatewayAuthenticationScheme, JwtAuthenticationScheme>());
        services.AddHostedService<JwksWarmupService>();
        services.AddHealthChecks()
            .AddCheck<JwksHealthCheck>(JwksHealthCheck.Name)
            .AddCheck<JwksStalenessHealthCheck>(JwksStalenessHealthCheck.Name);

        // Tenancy first: its header capture must run before the stripping removes the tenant header.
        services.AddGatewayTenancy();
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
