using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Reference.Gateway.Authentication;
using Reference.Gateway.Authentication.Sessions;
using Reference.Gateway.Tests.Infrastructure;
using Reference.Redis;
using Reference.TestUtilities;
using Reference.TestUtilities.Redis;

namespace Reference.Gateway.Tests.Authentication.Sessions;

/// <summary>
/// The real gateway (Program.cs) with Redis, the controllable IdP and a recording downstream, on a fake clock.
/// Until the route-policy dispatch to schemes is merged, <c>/test/session/...</c> runs the registered <c>session</c>
/// scheme the way the authentication middleware does (failure → status and error; success → the caller is
/// "forwarded", i.e. recorded); the BFF endpoints and the <c>jwt</c>/anonymous routes are the real ones.
/// </summary>
internal sealed class SessionEnvironment : IAsyncDisposable
{
    public const string ReturnUrl = "/app";

    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "reference-gateway-tests", Guid.NewGuid().ToString("N"));
    private GatewayFactory _factory = null!;

    private SessionEnvironment(RedisTestServer redis)
    {
        Redis = redis;
        Idp = new ControllableIdentityProvider(Clock);
    }

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public ControllableIdentityProvider Idp { get; }

    public RecordingDownstream Orders { get; } = new();

    public RedisTestServer Redis { get; }

    public RedisClient RedisClient { get; private set; } = null!;

    public string KeyPrefix { get; } = "gw-test-" + Guid.NewGuid().ToString("N")[..8] + ":";

    /// <summary>Callers the session scheme let through to the (simulated) downstream.</summary>
    public ConcurrentQueue<AuthenticatedCaller> Forwarded { get; } = new();

    public HttpClient Gateway { get; private set; } = null!;

    public static async Task<SessionEnvironment> StartAsync(RedisTestServer? redis = null, Dictionary<string, string?>? overrides = null)
    {
        var environment = new SessionEnvironment(redis ?? await RedisTestServer.GetSharedAsync());
        await environment.Idp.StartAsync();
        await environment.Orders.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Authentication:Jwt:Issuer"] = environment.Idp.Issuer,
            ["services:identity:http:0"] = environment.Idp.Url,
            ["services:orders:http:0"] = environment.Orders.Url,
            ["services:inventory:http:0"] = environment.Orders.Url,
            ["Gateway:InternalTokens:DataPath"] = environment._dataPath,
            ["ConnectionStrings:cache"] = environment.Redis.ConnectionString.Replace("syncTimeout=5000", "syncTimeout=3000", StringComparison.Ordinal),
            ["Gateway:Bff:Authority"] = environment.Idp.Issuer,
            ["Gateway:Bff:ClientSecret"] = ControllableIdentityProvider.BffSecret,
            ["Gateway:Bff:KeyPrefix"] = environment.KeyPrefix,
            ["Gateway:Bff:RefreshWait"] = "00:00:00.300",
            // Generous real-time timeouts: a loaded CI machine must not turn into an "IdP unavailable" outcome.
            ["Gateway:Bff:BackchannelTimeout"] = "00:00:30",
            ["Gateway:Introspection:ClientSecret"] = ControllableIdentityProvider.IntrospectionSecret,
            ["Gateway:TokenExchange:ClientSecret"] = "test-exchange-secret",
            ["ReverseProxy:Routes:public:ClusterId"] = "orders",
            ["ReverseProxy:Routes:public:Match:Path"] = "/api/public/{**rest}",
            ["ReverseProxy:Routes:public:Metadata:Auth.Policy"] = "anonymous",
            ["ReverseProxy:Routes:public:Transforms:0:PathRemovePrefix"] = "/api",
        };
        foreach (var (key, value) in overrides ?? [])
        {
            settings[key] = value;
        }

        environment._factory = new GatewayFactory(settings, services =>
        {
            services.AddSingleton<TimeProvider>(environment.Clock);
            // The Redis client's command and reconnect timeouts run on real time, not on the test's frozen clock.
            var connectionString = settings["ConnectionStrings:cache"]!;
            services.AddSingleton(_ => new RedisClient(RedisConnectionOptions.Parse(connectionString), null, TimeProvider.System));
            services.AddSingleton<IStartupFilter>(new SessionDispatchStartupFilter(environment.Forwarded));
        });
        environment.Gateway = environment._factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        environment.RedisClient = new RedisClient(environment.Redis.ConnectionString);
        await GatewayEnvironment.WaitForReadyAsync(environment.Gateway);
        return environment;
    }

    /// <summary>Runs /bff/login → IdP authorize → /bff/callback and returns the session id from the cookie.</summary>
    public async Task<string> LoginAsync(string? presetCookie = null)
    {
        using var login = await SendAsync(HttpMethod.Get, $"/bff/login?returnUrl={Uri.EscapeDataString(ReturnUrl)}", presetCookie);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        using var idp = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var authorize = await idp.GetAsync(login.Headers.Location);
        Assert.Equal(HttpStatusCode.Redirect, authorize.StatusCode);
        using var callback = await SendAsync(HttpMethod.Get, authorize.Headers.Location!.PathAndQuery, presetCookie);
        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal(ReturnUrl, callback.Headers.Location!.OriginalString);
        return SessionCookieValue(callback) ?? throw new InvalidOperationException("The callback set no session cookie.");
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? sessionId, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (sessionId is not null)
        {
            request.Headers.Add("Cookie", $"{BffOptions.DevelopmentCookieName}={sessionId}");
        }

        configure?.Invoke(request);
        return await Gateway.SendAsync(request);
    }

    public static string? SessionCookieValue(HttpResponseMessage response) =>
        SetCookie(response) is { } header ? header[(BffOptions.DevelopmentCookieName.Length + 1)..header.IndexOf(';', StringComparison.Ordinal)] : null;

    public static string? SetCookie(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values)
            ? values.FirstOrDefault(v => v.StartsWith(BffOptions.DevelopmentCookieName + "=", StringComparison.Ordinal))
            : null;

    public static bool ClearsCookie(HttpResponseMessage response) =>
        SetCookie(response) is { } header && header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase);

    public Task<bool> SessionExistsAsync(string sessionId) =>
        RedisClient.ExistsAsync(KeyPrefix + "session:" + SessionStore.Hash(sessionId));

    public static async Task<string?> ErrorCodeAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(body);
        return document.RootElement.TryGetProperty("error", out var error) ? error.GetString() : null;
    }

    public async ValueTask DisposeAsync()
    {
        Gateway?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        if (RedisClient is not null)
        {
            await RedisClient.DisposeAsync();
        }

        await Idp.DisposeAsync();
        await Orders.DisposeAsync();
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }

    /// <summary>The middleware's dispatch for one scheme, as a test stand-in (see the class summary).</summary>
    private sealed class SessionDispatchStartupFilter(ConcurrentQueue<AuthenticatedCaller> forwarded) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (!context.Request.Path.StartsWithSegments("/test/session"))
                {
                    await nextMiddleware(context);
                    return;
                }

                var scheme = context.RequestServices.GetServices<IGatewayAuthenticationScheme>().Single(s => s.Name == "session");
                if (!scheme.CanHandle(context))
                {
                    context.Response.StatusCode = 401;
                    await context.Response.WriteAsJsonAsync(new { error = "missing_token" });
                    return;
                }

                var result = await scheme.AuthenticateAsync(context, context.RequestAborted);
                if (result.Caller is null)
                {
                    context.Response.StatusCode = result.StatusCode;
                    await context.Response.WriteAsJsonAsync(new { error = result.Error, error_description = result.Description, reason = result.Reason });
                    return;
                }

                forwarded.Enqueue(result.Caller);
                await context.Response.WriteAsJsonAsync(new { sub = result.Caller.Subject });
            });
            next(app);
        };
    }
}
