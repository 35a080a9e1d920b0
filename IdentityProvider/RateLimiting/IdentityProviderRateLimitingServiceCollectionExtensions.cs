using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Reference.IdentityProvider.Options;
using Reference.IdentityProvider.RateLimiting;
using Reference.ServiceDefaults.RateLimiting;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers the IdentityProvider's login and token-endpoint limits over the shared distributed limiter.</summary>
internal static class IdentityProviderRateLimitingServiceCollectionExtensions
{
    public static TBuilder AddIdentityProviderRateLimiting<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.AddDistributedRateLimiting();
        var services = builder.Services;

        // Unless RateLimiting:KeyPrefix is set, the limiter's keys live under the IdP's own prefix ({KeyPrefix}ratelimit:).
        var explicitPrefix = builder.Configuration[$"{RateLimitingOptions.SectionName}:{nameof(RateLimitingOptions.KeyPrefix)}"];
        services.AddOptions<RateLimitingOptions>().Configure<IOptions<IdentityProviderOptions>>((limits, idp) =>
        {
            if (string.IsNullOrEmpty(explicitPrefix))
            {
                limits.KeyPrefix = idp.Value.KeyPrefix + "ratelimit:";
            }
        });
        services.AddOptions<IdentityProviderRateLimitOptions>().BindConfiguration(IdentityProviderRateLimitOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IdentityProviderRateLimitOptions>, IdentityProviderRateLimitOptionsValidator>());
        services.TryAddSingleton<LoginThrottle>();
        services.TryAddSingleton<TokenClientThrottle>();
        return builder;
    }
}
