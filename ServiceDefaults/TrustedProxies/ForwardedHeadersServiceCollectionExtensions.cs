using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Reference.ServiceDefaults.TrustedProxies;

internal static class ForwardedHeadersServiceCollectionExtensions
{
    public static IServiceCollection AddTrustedForwardedHeaders(this IServiceCollection services)
    {
        services.AddOptions<ForwardedHeadersTrustOptions>()
            .BindConfiguration(ForwardedHeadersTrustOptions.SectionName)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ForwardedHeadersTrustOptions>, ForwardedHeadersTrustOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<ForwardedHeadersOptions>, ConfigureForwardedHeadersOptions>());
        return services;
    }

    private sealed class ConfigureForwardedHeadersOptions(IOptions<ForwardedHeadersTrustOptions> trust) : IConfigureOptions<ForwardedHeadersOptions>
    {
        public void Configure(ForwardedHeadersOptions options)
        {
            var value = trust.Value;

            // ASP.NET Core trusts loopback by default; and with both lists empty its middleware trusts
            // everyone. So: clear the defaults, and turn the headers off when nothing is configured.
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in value.KnownProxies)
            {
                options.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in value.KnownNetworks)
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }

            options.ForwardLimit = value.ForwardLimit;
            options.ForwardedHeaders = options.KnownProxies.Count + options.KnownIPNetworks.Count == 0
                ? ForwardedHeaders.None
                : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
        }
    }
}
