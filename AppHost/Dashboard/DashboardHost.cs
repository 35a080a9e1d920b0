using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Reference.AppHost.Hosting.Orchestration;
using Reference.AppHost.Otlp;
using Reference.AppHost.Otlp.Storage;

namespace Reference.AppHost.Dashboard;

/// <summary>
/// The dashboard inside the AppHost process: two small Kestrel applications of their own (the browser
/// UI and the OTLP/HTTP receiver), on their own ports and thread-pool work, never on the orchestrator's
/// path. A failing page is a 500 for that request only.
/// </summary>
internal sealed class DashboardHost : IAsyncDisposable
{
    private readonly DashboardSettings _settings;
    private readonly DashboardPages _pages;
    private readonly OtlpReceiver _receiver;
    private readonly ILoggerFactory _loggerFactory;
    private WebApplication? _ui;
    private WebApplication? _otlp;

    public DashboardHost(
        DashboardSettings settings,
        ResourceNotificationService notifications,
        ResourceLogStore consoleLogs,
        IResourceControl control,
        ILoggerFactory loggerFactory,
        TimeProvider timeProvider)
    {
        _settings = settings;
        _loggerFactory = loggerFactory;
        Auth = new DashboardAuth();
        OtlpApiKey = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        Telemetry = new TelemetryStore(settings.Limits, timeProvider);
        _receiver = new OtlpReceiver(Telemetry, OtlpApiKey, settings.MaxOtlpBodyBytes);
        _pages = new DashboardPages(Auth, notifications, consoleLogs, control, Telemetry, timeProvider, loggerFactory.CreateLogger("Reference.AppHost.Dashboard"));
    }

    public DashboardAuth Auth { get; }

    /// <summary>The API key every child sends in <see cref="OtlpReceiver.ApiKeyHeader"/>.</summary>
    public string OtlpApiKey { get; }

    public TelemetryStore Telemetry { get; }

    /// <summary>The UI's address once started (the actual port when configured with port 0).</summary>
    public Uri? Url { get; private set; }

    public Uri? OtlpEndpoint { get; private set; }

    /// <summary>The login link with this run's browser token.</summary>
    public Uri LoginUrl => new(Url ?? throw new InvalidOperationException("The dashboard is not started."), "/login?t=" + Auth.BrowserToken);

    /// <summary>The OTEL_EXPORTER_OTLP_HEADERS value for the children.</summary>
    public string OtlpHeaders => $"{OtlpReceiver.ApiKeyHeader}={OtlpApiKey}";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _otlp = CreateApplication(_settings.OtlpUrl, app => _receiver.Map(app), _settings.MaxOtlpBodyBytes + 1);
        _ui = CreateApplication(_settings.Url, _pages.Map, 64 * 1024);
        await _otlp.StartAsync(cancellationToken);
        await _ui.StartAsync(cancellationToken);
        OtlpEndpoint = ActualAddress(_otlp, _settings.OtlpUrl);
        Url = ActualAddress(_ui, _settings.Url);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in new[] { _ui, _otlp })
        {
            if (app is null)
            {
                continue;
            }

            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await app.StopAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // Open live-update requests are dropped.
            }

            await app.DisposeAsync();
        }
    }

    private WebApplication CreateApplication(Uri url, Action<WebApplication> map, long maxRequestBodySize)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = maxRequestBodySize;
        });
        builder.WebHost.UseUrls(url.GetLeftPart(UriPartial.Authority));
        builder.Services.AddRoutingCore();
        // ASP.NET Core's own logs (listening, lifetime) stay out of the AppHost console; DashboardLog reports what matters.
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A bug in one page must not take anything else down; the AppHost carries on.
                DashboardLog.RequestFailed(_loggerFactory.CreateLogger("Reference.AppHost.Dashboard"), context.Request.Path, ex);
                if (!context.Response.HasStarted)
                {
                    context.Response.Clear();
                    context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                    context.Response.ContentType = "text/plain; charset=utf-8";
                    await context.Response.WriteAsync("The dashboard failed to render this page.");
                }
            }
        });
        app.UseRouting();
        map(app);
        return app;
    }

    private static Uri ActualAddress(WebApplication app, Uri configured)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null || configured.Port != 0)
        {
            return configured;
        }

        var actual = new Uri(address.Replace("[::]", "localhost", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
        return new UriBuilder(configured) { Port = actual.Port }.Uri;
    }
}

internal static partial class DashboardLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Error, Message = "Dashboard request {Path} failed")]
    public static partial void RequestFailed(ILogger logger, PathString path, Exception exception);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Error, Message = "The dashboard could not start on {Url} / {OtlpUrl}: {Reason}")]
    public static partial void StartFailed(ILogger logger, Uri url, Uri otlpUrl, string reason);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning, Message = "Dashboard action {Action} on {Resource} failed")]
    public static partial void ActionFailed(ILogger logger, string action, string resource, Exception exception);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Information, Message = "Dashboard listening on {Url}, OTLP receiver on {OtlpUrl}, browser token sha256 prefix {TokenFingerprint}")]
    public static partial void Started(ILogger logger, Uri url, Uri otlpUrl, string tokenFingerprint);
}
