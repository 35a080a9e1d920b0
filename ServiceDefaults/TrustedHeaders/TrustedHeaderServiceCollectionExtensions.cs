using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Reference.ServiceDefaults.InternalTokens;
using Reference.ServiceDefaults.TrustedHeaders;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers identity from the gateway's headers-mode propagation (a separate, explicit choice).</summary>
public static class TrustedHeaderServiceCollectionExtensions
{
    /// <summary>The default scheme when both tokens and trusted headers are accepted.</summary>
    public const string GatewayIdentityScheme = "GatewayIdentity";

    /// <summary>
    /// Makes the <c>TrustedHeaders</c> scheme the default: the caller's identity is read from
    /// X-User-Id, X-Tenant-Id, X-Token-Scopes, X-User-Roles and X-User-Email, only on connections from
    /// <c>TrustedHeaders:GatewayNetworks</c> or <c>TrustedHeaders:GatewayProxies</c> (startup fails when
    /// neither is configured). The service must be reachable only through the gateway (network isolation):
    /// see docs/identity-propagation-services.md. Every endpoint requires an authenticated caller by default.
    /// Called after <c>AddInternalTokenValidation()</c>, both are accepted: the default scheme becomes
    /// <see cref="GatewayIdentityScheme"/>, which uses the token scheme for every request with an Authorization header
    /// and the headers only for a request without one that carries X-User-Id (still only from the gateway's network).
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
        var withTokens = services.Any(d => d.ServiceType == typeof(InternalTokenValidator));
        var scheme = withTokens ? GatewayIdentityScheme : TrustedHeaderAuthenticationHandler.SchemeName;
        var authentication = services.AddAuthentication(scheme)
            .AddScheme<AuthenticationSchemeOptions, TrustedHeaderAuthenticationHandler>(TrustedHeaderAuthenticationHandler.SchemeName, configureOptions: null);
        if (withTokens)
        {
            // A request with an Authorization header is a token request, always (the gateway's headers mode removes
            // the header); only a request without one may be identified by the headers.
            authentication.AddPolicyScheme(GatewayIdentityScheme, GatewayIdentityScheme, options => options.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.Count == 0 && context.Request.Headers.ContainsKey(TrustedHeaderAuthenticationHandler.UserIdHeader)
                    ? TrustedHeaderAuthenticationHandler.SchemeName
                    : InternalTokenDefaults.AuthenticationScheme);
        }

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(scheme)
                .RequireAuthenticatedUser()
                .Build());
        return builder;
    }
}
