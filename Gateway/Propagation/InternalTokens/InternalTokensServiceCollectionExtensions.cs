using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Reference.Gateway;
using Reference.Gateway.Propagation.InternalTokens;

namespace Microsoft.Extensions.Hosting;

internal static class InternalTokensServiceCollectionExtensions
{
    public const string InternalJwksPath = "/.well-known/internal-jwks.json";

    /// <summary>Registers the internal-token signing keys (generations in {DataPath}/keys, shared by replicas) and the minting service.</summary>
    public static IHostApplicationBuilder AddInternalTokens(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<InternalTokenOptions>().BindConfiguration(InternalTokenOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InternalTokenOptions>, InternalTokenOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GatewayTelemetry>();
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<InternalTokenOptions>>();
            var contentRoot = sp.GetRequiredService<IHostEnvironment>().ContentRootPath;
            var keys = Path.Combine(Path.GetFullPath(options.Value.DataPath, contentRoot), "keys");
            return InternalSigningKeyRing.FromDirectory(
                keys, options, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger<InternalSigningKeyRing>());
        });
        services.TryAddSingleton<InternalTokenIssuer>();
        services.TryAddSingleton<InternalTokenCache>();
        services.AddSingleton<Reference.ServiceDefaults.Revocation.IRevocationListener>(sp => sp.GetRequiredService<InternalTokenCache>());
        return builder;
    }

    /// <summary>
    /// Publishes the internal tokens' public keys (anonymous, never proxied). Resolving the key here
    /// creates or loads it at startup, so a broken key file stops the process before it serves anything.
    /// </summary>
    public static IEndpointConventionBuilder MapInternalJwks(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var keys = endpoints.ServiceProvider.GetRequiredService<InternalSigningKeyRing>();
        return endpoints.MapGet(InternalJwksPath, (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "public, max-age=300";
            return Results.Bytes(keys.JwksDocument, "application/jwk-set+json");
        });
    }
}
