using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Reference.Gateway;
using Reference.Gateway.Authentication;
using Reference.Gateway.Authentication.Introspection;

namespace Microsoft.Extensions.Hosting;

internal static class IntrospectionServiceCollectionExtensions
{
    /// <summary>
    /// The <c>introspection</c> authentication scheme (RFC 7662 against the IdP, options in <c>Gateway:Introspection</c>):
    /// a pooled named HttpClient, the hashed result cache, the circuit breaker and its metrics.
    /// </summary>
    public static IHostApplicationBuilder AddIntrospectionAuthentication(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<IntrospectionOptions>().BindConfiguration(IntrospectionOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IntrospectionOptions>, IntrospectionOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddIdentityProviderHttpClient(IntrospectionClient.HttpClientName);
        services.TryAddSingleton<IntrospectionTelemetry>();
        services.TryAddSingleton<IntrospectionCache>();
        services.AddSingleton<Reference.ServiceDefaults.Revocation.IRevocationListener>(sp => sp.GetRequiredService<IntrospectionCache>());
        services.TryAddSingleton<IntrospectionClient>();
        services.TryAddSingleton<IntrospectionAuthenticationScheme>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGatewayAuthenticationScheme, IntrospectionAuthenticationScheme>(
            sp => sp.GetRequiredService<IntrospectionAuthenticationScheme>()));
        return builder;
    }
}
