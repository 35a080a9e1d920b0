using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Reference.Gateway;
using Reference.Gateway.TokenExchange;

namespace Microsoft.Extensions.Hosting;

internal static class TokenExchangeServiceCollectionExtensions
{
    /// <summary>RFC 8693 token exchange for routes in <c>exchange</c> mode (options in <c>Gateway:TokenExchange</c>).</summary>
    public static IHostApplicationBuilder AddTokenExchange(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<TokenExchangeOptions>().BindConfiguration(TokenExchangeOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TokenExchangeOptions>, TokenExchangeOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddIdentityProviderHttpClient(TokenExchangeClient.HttpClientName);
        services.TryAddSingleton<TokenExchangeClient>();
        services.AddSingleton<Reference.ServiceDefaults.Revocation.IRevocationListener>(sp => sp.GetRequiredService<TokenExchangeClient>());
        return builder;
    }
}
