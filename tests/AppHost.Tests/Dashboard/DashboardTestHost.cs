using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Reference.AppHost.Dashboard;
using Reference.AppHost.Hosting.Orchestration;
using Reference.AppHost.Otlp;
using Reference.TestUtilities;

namespace Reference.AppHost.Tests.Dashboard;

/// <summary>A started dashboard (UI and OTLP receiver on dynamic ports) over a fake model, for in-process tests.</summary>
internal sealed class DashboardTestHost : IAsyncDisposable
{
    private DashboardTestHost(DashboardHost host, ResourceNotificationService notifications, RecordingControl control, ResourceLogStore consoleLogs)
    {
        Host = host;
        Notifications = notifications;
        Control = control;
        ConsoleLogs = consoleLogs;
    }

    public DashboardHost Host { get; }

    public ResourceNotificationService Notifications { get; }

    public RecordingControl Control { get; }

    public ResourceLogStore ConsoleLogs { get; }

    public static async Task<DashboardTestHost> StartAsync(long maxOtlpBodyBytes = 4 * 1024 * 1024, TelemetryLimits? limits = null)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        var notifications = new ResourceNotificationService(clock);
        var consoleLogs = new ResourceLogStore(100);
        var control = new RecordingControl();
        var settings = new DashboardSettings
        {
            Enabled = true,
            Url = new Uri("http://127.0.0.1:0"),
            OtlpUrl = new Uri("http://127.0.0.1:0"),
            MaxOtlpBodyBytes = maxOtlpBodyBytes,
            Limits = limits ?? new TelemetryLimits(),
        };
        var host = new DashboardHost(settings, notifications, consoleLogs, control, NullLoggerFactory.Instance, clock);
        await host.StartAsync(CancellationToken.None);
        return new DashboardTestHost(host, notifications, control, consoleLogs);
    }

    /// <summary>A client without a cookie jar (cookies are sent explicitly) and without redirects.</summary>
    public HttpClient CreateClient() =>
        new(new SocketsHttpHandler { UseProxy = false, UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = Host.Url };

    public HttpClient CreateOtlpClient() =>
        new(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = Host.OtlpEndpoint };

    /// <summary>A client signed in through the login link (its cookie set on every request).</summary>
    public HttpClient CreateSignedInClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("Cookie", $"{DashboardAuth.CookieName}={Host.Auth.SessionValue}");
        return client;
    }

    public ValueTask DisposeAsync() => Host.DisposeAsync();

    internal sealed class RecordingControl : IResourceControl
    {
        public ConcurrentQueue<string> Calls { get; } = new();

        public TaskCompletionSource Called { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool StartResource(string resourceName) => Record($"start {resourceName}");

        public Task<bool> StopResourceAsync(string resourceName) => Task.FromResult(Record($"stop {resourceName}"));

        public Task<bool> RestartResourceAsync(string resourceName) => Task.FromResult(Record($"restart {resourceName}"));

        private bool Record(string call)
        {
            Calls.Enqueue(call);
            Called.TrySetResult();
            return true;
        }
    }
}

internal static class HttpStatusAssert
{
    public static async Task<string> ErrorCodeAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("error").GetString()!;
    }
}
