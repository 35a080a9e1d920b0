using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Reference.IdentityProvider;
using Reference.IdentityProvider.Account;
using Reference.IdentityProvider.Endpoints;
using Reference.IdentityProvider.Keys;
using Reference.IdentityProvider.Options;
using Reference.IdentityProvider.ResponseHandling;
using Reference.IdentityProvider.Stores;
using Reference.IdentityProvider.Sessions;
using Reference.IdentityProvider.Stores.AuthorizationCodes;
using Reference.IdentityProvider.Stores.ReferenceTokens;
using Reference.IdentityProvider.Stores.RefreshTokens;
using Reference.IdentityProvider.Stores.Revocations;
using Reference.IdentityProvider.Stores.Users;
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
        builder.AddIdentityProviderRateLimiting();
        AddSeedFile(builder);

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
        services.TryAddSingleton<SubjectTokenValidator>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGrantValidator, TokenExchangeGrantValidator>());
        services.TryAddSingleton<ITokenResponseGenerator, TokenResponseGenerator>();
        services.TryAddSingleton<IDiscoveryResponseGenerator, DiscoveryResponseGenerator>();
        services.TryAddSingleton<IJwksResponseGenerator, JwksResponseGenerator>();

        services.TryAddSingleton<ConfigurationUserStore>();
        services.TryAddSingleton<IUserStore>(sp => sp.GetRequiredService<ConfigurationUserStore>());
        services.TryAddSingleton<ISessionStore, RedisSessionStore>();
        services.TryAddSingleton<IIdTokenService, IdTokenService>();
        services.TryAddSingleton<IssuedTokenValidator>();
        services.TryAddSingleton<BackChannelLogoutNotifier>();
        services.TryAddSingleton<LogoutService>();
        services.AddHttpClient(BackChannelLogoutNotifier.HttpClientName, client => client.Timeout = BackChannelLogoutNotifier.Timeout);
        AddBrowserProtection(services);

        services.TryAddSingleton<DiscoveryEndpoint>();
        services.TryAddSingleton<JwksEndpoint>();
        services.TryAddSingleton<TokenEndpoint>();
        services.TryAddSingleton<IntrospectionEndpoint>();
        services.TryAddSingleton<RevocationEndpoint>();
        services.TryAddSingleton<SubjectRevocationEndpoint>();
        services.TryAddSingleton<LoginEndpoint>();
        services.TryAddSingleton<AuthorizeEndpoint>();
        services.TryAddSingleton<UserInfoEndpoint>();
        services.TryAddSingleton<EndSessionEndpoint>();
        return builder;
    }

    /// <summary>Merges <c>IdentityProvider:SeedFile</c> (default <c>seed/dev-seed.json</c>, DEV-ONLY demo users and
    /// tenants) under every other configuration source, so configuration and environment variables win.</summary>
    private static void AddSeedFile(IHostApplicationBuilder builder)
    {
        var configured = builder.Configuration[$"{IdentityProviderOptions.SectionName}:SeedFile"];
        var seedFile = string.IsNullOrWhiteSpace(configured) ? new IdentityProviderOptions().SeedFile : configured;
        var path = Path.GetFullPath(Path.Combine(builder.Environment.ContentRootPath, seedFile));
        var directory = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory))
        {
            if (configured is null)
            {
                return;
            }

            throw new InvalidOperationException($"{IdentityProviderOptions.SectionName}:SeedFile '{seedFile}' does not exist.");
        }

        builder.Configuration.Sources.Insert(0, new JsonConfigurationSource
        {
            FileProvider = new PhysicalFileProvider(directory),
            Path = Path.GetFileName(path),
            Optional = configured is null,
            ReloadOnChange = false,
        });
    }

    /// <summary>Antiforgery for the login and logout forms; data-protection keys in <c>{DataPath}/dataprotection-keys</c>
    /// so that IdP replicas sharing the data folder accept each other's antiforgery tokens (the first key is created
    /// once, under a lock, by <see cref="DataProtectionKeyInitializer"/>).</summary>
    private static void AddBrowserProtection(IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("Reference.IdentityProvider");
        services.AddOptions<KeyManagementOptions>().Configure<IOptions<IdentityProviderOptions>, IHostEnvironment, ILoggerFactory>(
            (keyManagement, options, environment, loggerFactory) =>
            {
                var directory = DataProtectionKeyInitializer.KeysDirectory(options.Value, environment);
                keyManagement.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(directory), loggerFactory);
            });
        services.AddHostedService<DataProtectionKeyInitializer>();
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "idp.antiforgery";
            options.Cookie.SecurePolicy = Microsoft.AspNetCore.Http.CookieSecurePolicy.SameAsRequest;
            options.Cookie.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Strict;
            options.SuppressXFrameOptionsHeader = true;
        });
    }
}
