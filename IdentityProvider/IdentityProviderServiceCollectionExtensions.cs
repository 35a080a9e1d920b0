using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Reference.IdentityProvider;
using Reference.IdentityProvider.Endpoints;
using Reference.IdentityProvider.Keys;
using Reference.IdentityProvider.Options;
using Reference.IdentityProvider.ResponseHandling;
using Reference.IdentityProvider.Stores;
using Reference.IdentityProvider.Stores.AuthorizationCodes;
using Reference.IdentityProvider.Stores.ReferenceTokens;
using Reference.IdentityProvider.Stores.RefreshTokens;
using Reference.IdentityProvider.Stores.Revocations;
using Reference.IdentityProvider.Tokens;
using Reference.IdentityProvider.Validation;
using Reference.IdentityProvider.Validation.TokenExchange;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers the IdentityProvider: options, stores, keys, validators, response generators, endpoints.</summary>
public static class IdentityProviderServiceCollectionExtensions
{
    public static TBuilder AddIdentityProvider<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        // Operational data (codes, refresh and reference tokens, revocations, lockouts, replay caches) lives in Redis
        // (ConnectionStrings:cache) so that replicas share nothing else.
        builder.AddRedisClient("cache");

        services.AddOptions<IdentityProviderOptions>().BindConfiguration(IdentityProviderOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IdentityProviderOptions>, IdentityProviderOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<IdentityProviderTelemetry>();

        services.TryAddSingleton<IClientStore, ConfigurationClientStore>();
        services.TryAddSingleton<IResourceStore, ConfigurationResourceStore>();
        services.TryAddSingleton<IAuthorizationCodeStore, RedisAuthorizationCodeStore>();
        services.TryAddSingleton<RedisCodeGrantStore>();
        services.TryAddSingleton<RedisRefreshTokenStore>();
        services.TryAddSingleton<RedisReferenceTokenStore>();
        services.TryAddSingleton<TokenRevocations>();

        services.TryAddSingleton<ISigningKeyStore, FileSigningKeyStore>();
        services.TryAddSingleton<ISigningKeyRing, SigningKeyRing>();
        services.AddHostedService<SigningKeyRingInitializer>();
        services.AddHostedService<SigningKeyRotationService>();

        services.TryAddSingleton<ClientSecretAuthenticator>();
        services.TryAddSingleton<PrivateKeyJwtAuthenticator>();
        services.TryAddSingleton<IClientAuthenticator, ClientAuthenticator>();
        services.TryAddSingleton<ITokenRequestValidator, TokenRequestValidator>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGrantValidator, ClientCredentialsGrantValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGrantValidator, AuthorizationCodeGrantValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGrantValidator, RefreshTokenGrantValidator>());
        services.TryAddSingleton<JwtAccessTokenService>();
        services.TryAddSingleton<ReferenceAccessTokenService>();
        services.TryAddSingleton<IAccessTokenService, AccessTokenServiceSelector>();
        services.TryAddSingleton<AccessTokenValidator>();
        services.TryAddSingleton<IntrospectionCallerAuthenticator>();
        services.TryAddSingleton<IssuedTokenValidator>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGrantValidator, TokenExchangeGrantValidator>());
        services.TryAddSingleton<ITokenResponseGenerator, TokenResponseGenerator>();
        services.TryAddSingleton<IDiscoveryResponseGenerator, DiscoveryResponseGenerator>();
        services.TryAddSingleton<IJwksResponseGenerator, JwksResponseGenerator>();

        services.TryAddSingleton<DiscoveryEndpoint>();
        services.TryAddSingleton<JwksEndpoint>();
        services.TryAddSingleton<TokenEndpoint>();
        services.TryAddSingleton<IntrospectionEndpoint>();
        services.TryAddSingleton<RevocationEndpoint>();
        return builder;
    }
}
