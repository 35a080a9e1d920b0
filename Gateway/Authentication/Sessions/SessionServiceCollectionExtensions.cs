using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Reference.Gateway.Authentication;
using Reference.Gateway.Authentication.Sessions;

namespace Microsoft.Extensions.Hosting;

internal static class SessionServiceCollectionExtensions
{
    /// <summary>
    /// The <c>session</c> authentication scheme and the BFF endpoints' services (options in <c>Gateway:Bff</c>).
    /// Needs a <see cref="Reference.Redis.RedisClient"/> (<c>builder.AddRedisClient("cache")</c>).
    /// </summary>
    public static IHostApplicationBuilder AddSessionAuthentication(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<BffOptions>().BindConfiguration(BffOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BffOptions>, BffOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(OidcProviderClient.HttpClientName, client =>
        {
            client.Timeout = TimeSpan.FromSeconds(30);
            client.MaxResponseContentBufferSize = 1024 * 1024;
        }).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(2),
        });
        services.TryAddSingleton<SessionTelemetry>();
        services.TryAddSingleton<SessionStore>();
        services.AddSingleton<Reference.ServiceDefaults.Revocation.IRevocationListener, SessionRevocationListener>();
        services.TryAddSingleton<OidcProviderClient>();
        services.TryAddSingleton<SessionManager>();
        services.TryAddSingleton<BffEndpoints>();
        services.TryAddSingleton<SessionAuthenticationScheme>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGatewayAuthenticationScheme, SessionAuthenticationScheme>(
            sp => sp.GetRequiredService<SessionAuthenticationScheme>()));
        return builder;
    }

    /// <summary>Maps <c>/bff/login</c>, <c>/bff/callback</c>, <c>/bff/user</c>, <c>/bff/logout</c> and <c>/bff/backchannel-logout</c>.</summary>
    public static IEndpointRouteBuilder MapBffEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var bff = endpoints.MapGroup("/bff");
        bff.MapGet("/login", (HttpContext context, BffEndpoints handlers) => handlers.LoginAsync(context));
        bff.MapGet("/callback", (HttpContext context, BffEndpoints handlers) => handlers.CallbackAsync(context));
        bff.MapGet("/user", (HttpContext context, BffEndpoints handlers) => handlers.UserAsync(context));
        bff.MapPost("/logout", (HttpContext context, BffEndpoints handlers) => handlers.LogoutAsync(context));
        bff.MapPost("/backchannel-logout", (HttpContext context, BffEndpoints handlers) => handlers.BackChannelLogoutAsync(context)).DisableAntiforgery();
        return endpoints;
    }
}
