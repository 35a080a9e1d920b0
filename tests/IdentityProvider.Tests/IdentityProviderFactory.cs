using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Reference.IdentityProvider.Validation;
using Reference.TestUtilities;
using Reference.TestUtilities.Redis;

namespace Reference.IdentityProvider.Tests;

/// <summary>
/// The IdentityProvider in a TestServer with clients whose secrets the tests know, a fake clock and a temporary
/// data folder (deleted on disposal unless a shared one was passed in).
/// </summary>
public sealed class IdentityProviderFactory : WebApplicationFactory<Program>
{
    public const string Issuer = "http://localhost";
    public const string TestClientId = "test-client";
    public const string TestClientSecret = "test-client-secret-7f1e";
    public const string DemoClientSecret = "demo-client-secret-0b9a";
    public const string DemoClientBSecret = "demo-client-b-secret-3c44";
    public const string ShortLivedClientId = "short-lived-client";
    public const string ShortLivedClientSecret = "short-lived-secret-91d2";
    public const string EsClientId = "es-client";
    public const string EsClientSecret = "es-client-secret-55aa";
    public const string GatewayClientSecret = "gateway-client-secret-19fe";
    public const string OrdersServiceSecret = "orders-service-secret-a7c1";
    public const string ExchangeClientId = "exchange-client";
    public const string ExchangeClientSecret = "exchange-client-secret-4d0e";
    public const string ImpersonatorClientId = "impersonator";
    public const string ImpersonatorClientSecret = "impersonator-secret-62b8";
    public const string InventoryResourceUri = "https://inventory.example.com/";

    /// <summary>Exercises RFC 6749 §2.3.1's form-encoding inside Basic: '+', '%', ':', space and non-ASCII.</summary>
    public const string OddClientId = "odd+client%id";
    public const string OddClientSecret = "s:e+c r%e/t=ä€";

    public const string DemoReferenceSecret = "demo-reference-secret-8e21";

    // The token lifecycle (authorization code, refresh, reference tokens, private_key_jwt, introspection).
    public const string CodeClientId = "code-client";
    public const string CodeClientSecret = "code-client-secret-4f0c";
    public const string OtherCodeClientId = "other-code-client";
    public const string OtherCodeClientSecret = "other-code-client-secret-19ab";
    public const string PublicClientId = "public-client";
    public const string ReferenceClientId = "reference-client";
    public const string ReferenceClientSecret = "reference-client-secret-77d3";
    public const string JwtClientId = "jwt-client";
    public const string RedirectUri = "https://app.example/callback";
    public const string ReferenceApiSecret = "reference-api-introspection-secret-5b6d";
    public const string InventoryApiSecret = "inventory-api-introspection-secret-c2e0";

    public const string DemoWebSecret = "demo-web-secret-a41c";

    /// <summary>The seeded (DEV-ONLY) users' password in tests; hashed with a small iteration count to stay fast.</summary>
    public const string UserPassword = "correct horse battery staple 7";
    public const int TestPasswordIterations = 1_000;

    /// <summary>A relying party with back-channel logout and a post-logout URI, tenant-b users only.</summary>
    public const string RpClientId = "rp-client";
    public const string RpClientSecret = "rp-client-secret-19fe";
    public const string RpRedirectUri = "https://rp.example/callback";
    public const string RpPostLogoutUri = "https://rp.example/signed-out";
    public const string RpBackChannelUri = "https://rp.example/backchannel-logout";
    public const string DemoWebRedirectUri = "http://localhost:5099/callback";

    public static readonly TimeSpan ConfiguredLifetime = TimeSpan.FromMinutes(10);

    private readonly bool _ownsDataPath;

    public IdentityProviderFactory()
        : this(DefaultSettings(), dataPath: null)
    {
    }

    private IdentityProviderFactory(IDictionary<string, string?> settings, string? dataPath)
    {
        _ownsDataPath = dataPath is null;
        DataPath = dataPath ?? NewTemporaryDataPath();
        Redis = RedisTestServer.GetSharedAsync().GetAwaiter().GetResult();
        KeyPrefix = $"idp-test-{Guid.NewGuid():N}:";
        Settings = new Dictionary<string, string?>(settings, StringComparer.OrdinalIgnoreCase)
        {
            ["IdentityProvider:DataPath"] = DataPath,
        };

        // One Redis server for the test process; each factory has its own key space. A test may override both.
        Settings.TryAdd("ConnectionStrings:cache", Redis.ConnectionString);
        Settings.TryAdd("IdentityProvider:KeyPrefix", KeyPrefix);
    }

    public string DataPath { get; }

    /// <summary>The shared Redis server this factory's IdentityProvider uses (unless the settings named another).</summary>
    public RedisTestServer Redis { get; }

    /// <summary>This factory's <c>IdentityProvider:KeyPrefix</c>: every Redis key it writes starts with it.</summary>
    public string KeyPrefix { get; }

    /// <summary>A factory with other settings; with <paramref name="dataPath"/> the folder is shared and left in place.</summary>
    public static IdentityProviderFactory Create(IDictionary<string, string?> settings, string? dataPath = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new IdentityProviderFactory(settings, dataPath);
    }

    public Dictionary<string, string?> Settings { get; }

    /// <summary>Starts at a real, whole-second instant; tokens are validated against this clock.</summary>
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    public CapturingLoggerProvider Logs { get; } = new();

    /// <summary>Stands in for the relying parties' back-channel logout endpoints.</summary>
    public RecordingHandler BackChannel { get; } = new();

    public static string NewTemporaryDataPath() => Path.Combine(Path.GetTempPath(), "reference-idp-tests", Guid.NewGuid().ToString("N"));

    public static Dictionary<string, string?> DefaultSettings() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["IdentityProvider:Issuer"] = Issuer,

        // Tests share one factory (one client address, a frozen clock): rate limits and the per-IP lockout out of the
        // way; the username lockout keeps its defaults (10 failures, 15 minutes). RateLimiting tests set their own.
        ["IdentityProvider:RateLimiting:LoginPerIp:PermitLimit"] = "100000",
        ["IdentityProvider:RateLimiting:LoginPerIp:Burst"] = "100000",
        ["IdentityProvider:RateLimiting:LoginPerUsername:PermitLimit"] = "100000",
        ["IdentityProvider:RateLimiting:LoginPerUsername:Burst"] = "100000",
        ["IdentityProvider:RateLimiting:TokenPerClient:PermitLimit"] = "100000",
        ["IdentityProvider:RateLimiting:TokenPerClient:Burst"] = "100000",
        ["IdentityProvider:RateLimiting:FailedLoginsPerIp:MaxFailures"] = "100000",
        ["IdentityProvider:AccessTokenLifetime"] = "00:10:00",

        // appsettings.json's API resources and demo clients stay; the demo clients get known secrets here.
        ["IdentityProvider:Clients:demo-client:SecretHashes:0"] = SecretHash.Format(DemoClientSecret),
        ["IdentityProvider:Clients:demo-client-b:SecretHashes:0"] = SecretHash.Format(DemoClientBSecret),
        ["IdentityProvider:Clients:gateway:SecretHashes:0"] = SecretHash.Format(GatewayClientSecret),
        ["IdentityProvider:Clients:orders-service:SecretHashes:0"] = SecretHash.Format(OrdersServiceSecret),
        ["IdentityProvider:ApiResources:inventory-api:Uri"] = InventoryResourceUri,

        ["IdentityProvider:Clients:demo-reference:SecretHashes:0"] = SecretHash.Format(DemoReferenceSecret),

        ["IdentityProvider:ApiResources:reference-api:SecretHashes:0"] = SecretHash.Format(ReferenceApiSecret),
        ["IdentityProvider:ApiResources:inventory-api:SecretHashes:0"] = SecretHash.Format(InventoryApiSecret),
        ["IdentityProvider:ApiResources:es-api:Scopes:0"] = "es.read",
        ["IdentityProvider:ApiResources:es-api:SigningAlgorithm"] = "ES256",

        [$"IdentityProvider:Clients:{TestClientId}:SecretHashes:0"] = SecretHash.Format("an-older-secret-still-accepted"),
        [$"IdentityProvider:Clients:{TestClientId}:SecretHashes:1"] = SecretHash.Format(TestClientSecret),
        [$"IdentityProvider:Clients:{TestClientId}:AllowedGrantTypes:0"] = "client_credentials",
        [$"IdentityProvider:Clients:{TestClientId}:AllowedScopes:0"] = "orders.read",
        [$"IdentityProvider:Clients:{TestClientId}:AllowedScopes:1"] = "orders.write",
        [$"IdentityProvider:Clients:{TestClientId}:AllowedScopes:2"] = "es.read",
        [$"IdentityProvider:Clients:{TestClientId}:Claims:tenant_id"] = "tenant-t",
        [$"IdentityProvider:Clients:{TestClientId}:AllowSubjectRevocation"] = "true",

        [$"IdentityProvider:Clients:{ShortLivedClientId}:SecretHashes:0"] = SecretHash.Format(ShortLivedClientSecret),
        [$"IdentityProvider:Clients:{ShortLivedClientId}:AllowedGrantTypes:0"] = "client_credentials",
        [$"IdentityProvider:Clients:{ShortLivedClientId}:AllowedScopes:0"] = "inventory.read",
        [$"IdentityProvider:Clients:{ShortLivedClientId}:AccessTokenLifetime"] = "00:01:30",

        [$"IdentityProvider:Clients:{EsClientId}:SecretHashes:0"] = SecretHash.Format(EsClientSecret),
        [$"IdentityProvider:Clients:{EsClientId}:AllowedGrantTypes:0"] = "client_credentials",
        [$"IdentityProvider:Clients:{EsClientId}:AllowedScopes:0"] = "es.read",

        [$"IdentityProvider:Clients:{OddClientId}:SecretHashes:0"] = SecretHash.Format(OddClientSecret),
        [$"IdentityProvider:Clients:{OddClientId}:AllowedGrantTypes:0"] = "client_credentials",
        [$"IdentityProvider:Clients:{OddClientId}:AllowedScopes:0"] = "orders.read",

        [$"IdentityProvider:Clients:{CodeClientId}:SecretHashes:0"] = SecretHash.Format(CodeClientSecret),
        [$"IdentityProvider:Clients:{CodeClientId}:AllowedGrantTypes:0"] = "authorization_code",
        [$"IdentityProvider:Clients:{CodeClientId}:AllowedGrantTypes:1"] = "refresh_token",
        [$"IdentityProvider:Clients:{CodeClientId}:AllowedScopes:0"] = "openid",
        [$"IdentityProvider:Clients:{CodeClientId}:AllowedScopes:1"] = "email",
        [$"IdentityProvider:Clients:{CodeClientId}:AllowedScopes:2"] = "offline_access",
        [$"IdentityProvider:Clients:{CodeClientId}:AllowedScopes:3"] = "orders.read",
        [$"IdentityProvider:Clients:{CodeClientId}:AllowedScopes:4"] = "orders.write",
        [$"IdentityProvider:Clients:{CodeClientId}:RedirectUris:0"] = RedirectUri,
        [$"IdentityProvider:Clients:{CodeClientId}:AllowOfflineAccess"] = "true",
        [$"IdentityProvider:Clients:{CodeClientId}:RefreshTokenSlidingLifetime"] = "01:00:00",
        [$"IdentityProvider:Clients:{CodeClientId}:RefreshTokenAbsoluteLifetime"] = "03:00:00",

        [$"IdentityProvider:Clients:{OtherCodeClientId}:SecretHashes:0"] = SecretHash.Format(OtherCodeClientSecret),
        [$"IdentityProvider:Clients:{OtherCodeClientId}:AllowedGrantTypes:0"] = "authorization_code",
        [$"IdentityProvider:Clients:{OtherCodeClientId}:AllowedGrantTypes:1"] = "refresh_token",
        [$"IdentityProvider:Clients:{OtherCodeClientId}:AllowedScopes:0"] = "openid",
        [$"IdentityProvider:Clients:{OtherCodeClientId}:AllowedScopes:1"] = "offline_access",
        [$"IdentityProvider:Clients:{OtherCodeClientId}:AllowedScopes:2"] = "orders.read",
        [$"IdentityProvider:Clients:{OtherCodeClientId}:RedirectUris:0"] = RedirectUri,
        [$"IdentityProvider:Clients:{OtherCodeClientId}:AllowOfflineAccess"] = "true",

        [$"IdentityProvider:Clients:{PublicClientId}:IsPublic"] = "true",
        [$"IdentityProvider:Clients:{PublicClientId}:AllowedGrantTypes:0"] = "authorization_code",
        [$"IdentityProvider:Clients:{PublicClientId}:AllowedGrantTypes:1"] = "refresh_token",
        [$"IdentityProvider:Clients:{PublicClientId}:AllowedScopes:0"] = "openid",
        [$"IdentityProvider:Clients:{PublicClientId}:AllowedScopes:1"] = "offline_access",
        [$"IdentityProvider:Clients:{PublicClientId}:AllowedScopes:2"] = "orders.read",
        [$"IdentityProvider:Clients:{PublicClientId}:RedirectUris:0"] = RedirectUri,
        [$"IdentityProvider:Clients:{PublicClientId}:AllowOfflineAccess"] = "true",

        [$"IdentityProvider:Clients:{ReferenceClientId}:SecretHashes:0"] = SecretHash.Format(ReferenceClientSecret),
        [$"IdentityProvider:Clients:{ReferenceClientId}:AllowedGrantTypes:0"] = "client_credentials",
        [$"IdentityProvider:Clients:{ReferenceClientId}:AllowedScopes:0"] = "orders.read",
        [$"IdentityProvider:Clients:{ReferenceClientId}:AccessTokenType"] = "Reference",

        [$"IdentityProvider:Clients:{JwtClientId}:AllowedGrantTypes:0"] = "client_credentials",
        [$"IdentityProvider:Clients:{JwtClientId}:AllowedScopes:0"] = "orders.read",
        [$"IdentityProvider:Clients:{JwtClientId}:JsonWebKeySet"] = ClientAssertionKeys.JwksJson,

        // RFC 8693: a delegation-only exchanger and an impersonation-allowed one.
        [$"IdentityProvider:Clients:{ExchangeClientId}:SecretHashes:0"] = SecretHash.Format(ExchangeClientSecret),
        [$"IdentityProvider:Clients:{ExchangeClientId}:AllowedGrantTypes:0"] = "client_credentials",
        [$"IdentityProvider:Clients:{ExchangeClientId}:AllowedGrantTypes:1"] = "urn:ietf:params:oauth:grant-type:token-exchange",
        [$"IdentityProvider:Clients:{ExchangeClientId}:AllowedScopes:0"] = "orders.read",
        [$"IdentityProvider:Clients:{ExchangeClientId}:AllowedScopes:1"] = "orders.write",
        [$"IdentityProvider:Clients:{ExchangeClientId}:AllowedScopes:2"] = "inventory.read",
        [$"IdentityProvider:Clients:{ExchangeClientId}:TokenExchange:AllowedAudiences:0"] = "orders-api",
        [$"IdentityProvider:Clients:{ExchangeClientId}:TokenExchange:AllowedAudiences:1"] = "inventory-api",
        [$"IdentityProvider:Clients:{ExchangeClientId}:TokenExchange:MaxTokenLifetime"] = "00:05:00",

        [$"IdentityProvider:Clients:{ImpersonatorClientId}:SecretHashes:0"] = SecretHash.Format(ImpersonatorClientSecret),
        [$"IdentityProvider:Clients:{ImpersonatorClientId}:AllowedGrantTypes:0"] = "urn:ietf:params:oauth:grant-type:token-exchange",
        [$"IdentityProvider:Clients:{ImpersonatorClientId}:AllowedScopes:0"] = "orders.read",
        [$"IdentityProvider:Clients:{ImpersonatorClientId}:TokenExchange:AllowedAudiences:0"] = "orders-api",
        [$"IdentityProvider:Clients:{ImpersonatorClientId}:TokenExchange:AllowImpersonation"] = "true",
        [$"IdentityProvider:Clients:{ImpersonatorClientId}:TokenExchange:MaxTokenLifetime"] = "00:02:00",
        [$"IdentityProvider:Clients:{ImpersonatorClientId}:AllowedTenants:0"] = "tenant-a",

        // Browser-facing clients and the seeded users' passwords (appsettings.json / seed/dev-seed.json hold none).
        ["IdentityProvider:Clients:demo-web:SecretHashes:0"] = SecretHash.Format(DemoWebSecret),
        ["IdentityProvider:MinimumPasswordHashIterations"] = "1000",
        ["IdentityProvider:Users:alice:PasswordHash"] = Reference.IdentityProvider.Account.PasswordHasher.Hash(UserPassword, TestPasswordIterations),
        ["IdentityProvider:Users:bob:PasswordHash"] = Reference.IdentityProvider.Account.PasswordHasher.Hash(UserPassword, TestPasswordIterations),
        ["IdentityProvider:Users:carol:PasswordHash"] = Reference.IdentityProvider.Account.PasswordHasher.Hash(UserPassword, TestPasswordIterations),
        [$"IdentityProvider:Clients:{RpClientId}:SecretHashes:0"] = SecretHash.Format(RpClientSecret),
        [$"IdentityProvider:Clients:{RpClientId}:AllowedGrantTypes:0"] = "authorization_code",
        [$"IdentityProvider:Clients:{RpClientId}:AllowedScopes:0"] = "openid",
        [$"IdentityProvider:Clients:{RpClientId}:AllowedScopes:1"] = "profile",
        [$"IdentityProvider:Clients:{RpClientId}:AllowedScopes:2"] = "email",
        [$"IdentityProvider:Clients:{RpClientId}:AllowedScopes:3"] = "orders.read",
        [$"IdentityProvider:Clients:{RpClientId}:RedirectUris:0"] = RpRedirectUri,
        [$"IdentityProvider:Clients:{RpClientId}:PostLogoutRedirectUris:0"] = RpPostLogoutUri,
        [$"IdentityProvider:Clients:{RpClientId}:BackChannelLogoutUri"] = RpBackChannelUri,
        [$"IdentityProvider:Clients:{RpClientId}:AllowedTenants:0"] = "tenant-b",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ConfigureAppConfiguration((_, configuration) => configuration.AddInMemoryCollection(Settings));
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Time);

            // The fake clock is for token lifetimes; the Redis client's connect/command timeouts and reconnect backoff
            // need real time, or a command queued behind a failed connection attempt (Redis down) waits forever.
            services.AddSingleton(sp => new Reference.Redis.RedisClient(Settings["ConnectionStrings:cache"]!, sp.GetService<ILoggerFactory>(), TimeProvider.System));
            services.AddHttpClient(Reference.IdentityProvider.Sessions.BackChannelLogoutNotifier.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => BackChannel);
        });
        builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _ownsDataPath && Directory.Exists(DataPath))
        {
            Directory.Delete(DataPath, recursive: true);
        }
    }
}
