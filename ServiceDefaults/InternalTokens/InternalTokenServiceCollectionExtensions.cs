using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Reference.Redis;
using Reference.ServiceDefaults.InternalTokens;
using Reference.ServiceDefaults.Revocation;
using Reference.ServiceDefaults.ServiceDiscovery;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers verification of the gateway's internal tokens.</summary>
public static class InternalTokenServiceCollectionExtensions
{
    /// <summary>The connection string name of the Redis the revocation consumer reads (<c>ConnectionStrings:cache</c>).</summary>
    public const string RevocationCacheConnectionName = "cache";

    /// <summary>
    /// Makes the <c>InternalToken</c> scheme the default authentication scheme: a request is
    /// authenticated only by a gateway internal token (<c>typ</c> <c>internal+jwt</c>, ES256, exact
    /// <c>InternalTokens:Issuer</c>, <c>InternalTokens:Audience</c> in <c>aud</c>, valid <c>exp</c>/<c>nbf</c>,
    /// signed by a key from <c>InternalTokens:JwksUri</c>). Every endpoint without its own authorization
    /// metadata requires an authenticated caller (the health endpoints are anonymous); use
    /// <see cref="ScopeAuthorizationExtensions.RequireScope"/> for scopes. When <c>ConnectionStrings:cache</c> is set,
    /// revocations are consumed (<see cref="RevocationServiceCollectionExtensions.AddRevocationConsumer"/>): a token
    /// whose <c>jti</c>/<c>orig_jti</c>, <c>sid</c> or <c>sub</c> is revoked is rejected, cached or not.
    /// </summary>
    /// <typeparam name="TBuilder">The host builder type.</typeparam>
    /// <param name="builder">The application builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static TBuilder AddInternalTokenValidation<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(InternalTokenValidator)))
        {
            return builder;
        }

        services.AddOptions<InternalTokenOptions>()
            .BindConfiguration(InternalTokenOptions.SectionName)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InternalTokenOptions>, InternalTokenOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ServiceEndpointResolver>();
        services.AddHttpClient(InternalTokenKeyCache.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
        services.TryAddSingleton<InternalTokenKeyCache>();
        services.TryAddSingleton<ValidatedTokenCache>();
        services.TryAddSingleton<InternalTokenValidator>();

        // Revocations: the denylist is always there (empty without Redis); with ConnectionStrings:cache the consumer
        // fills it and the validated-token cache evicts what is revoked.
        services.AddRevocationDenylist();
        services.AddSingleton<IRevocationListener>(sp => sp.GetRequiredService<ValidatedTokenCache>());
        if (!string.IsNullOrEmpty(builder.Configuration.GetConnectionString(RevocationCacheConnectionName)))
        {
            if (!services.Any(d => d.ServiceType == typeof(RedisClient)))
            {
                builder.AddRedisClient(RevocationCacheConnectionName, settings => settings.DisableHealthChecks = true);
            }

            builder.AddRevocationConsumer();
        }

        services.AddAuthentication(InternalTokenDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, InternalTokenAuthenticationHandler>(InternalTokenDefaults.AuthenticationScheme, configureOptions: null);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(InternalTokenDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser()
                .Build());
        return builder;
    }
}
