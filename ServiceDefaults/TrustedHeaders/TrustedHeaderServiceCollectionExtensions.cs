using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Reference.ServiceDefaults.TrustedHeaders;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers identity from the gateway's headers-mode propagation (a separate, explicit choice).</summary>
public static class TrustedHeaderServiceCollectionExtensions
{
    /// <summary>
    /// Makes the <c>TrustedHeaders</c> scheme the default: the caller's identity is read from
    /// X-User-Id, X-Tenant-Id, X-Token-Scopes, X-User-Roles and X-User-Email, only on connections from
    /// <c>TrustedHeaders:GatewayNetworks</c> or <c>TrustedHeaders:GatewayProxies</c> (startup fails when
    /// neither is configured). The service must be reachable only through the gateway (network isolation):
    /// see docs/identity-propagation-services.md. Every endpoint requires an authenticated caller by default.
    /// </summary>
    /// <typeparam name="TBuilder">The host builder type.</typeparam>
    /// <param name="builder">The application builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static TBuilder AddTrustedHeaderIdentity<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<TrustedHeaderOptions>()
            .BindConfiguration(TrustedHeaderOptions.SectionName)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TrustedHeaderOptions>, TrustedHeaderOptionsValidator>());
        services.AddAuthentication(TrustedHeaderAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TrustedHeaderAuthenticationHandler>(TrustedHeaderAuthenticationHandler.SchemeName, configureOptions: null);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(TrustedHeaderAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser()
                .Build());
        return builder;
    }
}
