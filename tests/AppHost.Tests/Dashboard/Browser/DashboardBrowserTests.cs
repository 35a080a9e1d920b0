using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Reference.AppHost.Otlp.Storage;
using Reference.AppHost.Testing;
using Xunit.Abstractions;

namespace Reference.AppHost.Tests.Dashboard.Browser;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DashboardBrowserGroup
{
    public const string Name = "Dashboard in a real browser";
}

/// <summary>
/// The whole system with the dashboard on, driven by headless Chromium: sign in with the printed link,
/// see every resource Running/Healthy, send requests through the gateway and find their spans from every
/// service in one waterfall. Screenshots go to TestResults/dashboard (beside the test assembly, or
/// DASHBOARD_SCREENSHOTS_DIR).
/// </summary>
[Collection(DashboardBrowserGroup.Name)]
public sealed class DashboardBrowserTests(ITestOutputHelper output)
{
    private static readonly string ScreenshotDirectory =
        Environment.GetEnvironmentVariable("DASHBOARD_SCREENSHOTS_DIR") is { Length: > 0 } configured
            ? configured
            : Path.Combine(AppContext.BaseDirectory, "TestResults", "dashboard");

    [ChromiumFact]
    public async Task Dashboard_InHeadlessChromium_ShowsResourcesAndACrossServiceTrace()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var ct = timeout.Token;
        await using var app = await ReferenceAppTesting.StartAsync(o =>
        {
            o.Configuration["AppHost:Dashboard:Enabled"] = "true";
            o.Configuration["AppHost:Dashboard:Url"] = "http://127.0.0.1:0";
            o.Configuration["AppHost:Dashboard:OtlpUrl"] = "http://127.0.0.1:0";
        }, ct);
        var dashboard = app.Application.Dashboard ?? throw new InvalidOperationException("The dashboard is not running.");
        await using var browser = await ChromiumSession.LaunchAsync(ct);

        await browser.NavigateAsync(dashboard.LoginUrl, ct);
        await browser.WaitForAsync("location.pathname === '/resources' && document.querySelector('#resources tbody tr') ? 'yes' : ''", ct);
        var rows = await browser.WaitForAsync(
            "(() => { const rows = [...document.querySelectorAll('#resources tbody tr')];" +
            " const text = rows.map(r => r.dataset.resource + '=' + [...r.querySelectorAll('.badge')].map(b => b.textContent).join('/')).join(',');" +
            " return rows.length > 0 && rows.every(r => r.textContent.includes('Running') && r.textContent.includes('Healthy')) ? text : ''; })()", ct);
        output.WriteLine($"resources: {rows}");
        foreach (var name in new[] { "cache", "identity", "gateway", "orders", "inventory" })
        {
            Assert.Contains($"{name}=Running/Healthy", rows, StringComparison.Ordinal);
        }

        await browser.ScreenshotAsync(Path.Combine(ScreenshotDirectory, "dashboard-resources.png"), ct);

        var token = await GetTokenAsync(app, "orders.read inventory.read", ct);
        var ordersTrace = await SendThroughGatewayAsync(app, "/api/orders", token, ct);
        var inventoryTrace = await SendThroughGatewayAsync(app, "/api/inventory/items", token, ct);
        var orders = await WaitForTraceAsync(dashboard.Telemetry, ordersTrace, ["gateway", "orders"], ct);
        var inventory = await WaitForTraceAsync(dashboard.Telemetry, inventoryTrace, ["gateway", "inventory"], ct);
        output.WriteLine($"orders trace {orders.TraceId}: {string.Join(", ", orders.Resources)}");
        output.WriteLine($"inventory trace {inventory.TraceId}: {string.Join(", ", inventory.Resources)}");

        await browser.NavigateAsync(new Uri(dashboard.Url!, $"/traces/{orders.TraceId}"), ct);
        var waterfall = await browser.WaitForAsync(
            "(() => { const rows = [...document.querySelectorAll('#waterfall tbody tr')]; const r = [...new Set(rows.map(x => x.dataset.resource))];" +
            " return r.includes('gateway') && r.includes('orders') && document.querySelectorAll('#waterfall svg.bar rect').length === rows.length ? r.join(',') : ''; })()", ct);
        Assert.Contains("gateway", waterfall, StringComparison.Ordinal);
        Assert.Contains("orders", waterfall, StringComparison.Ordinal);
        await browser.ScreenshotAsync(Path.Combine(ScreenshotDirectory, "dashboard-trace.png"), ct);

        await browser.NavigateAsync(new Uri(dashboard.Url!, $"/traces/{inventory.TraceId}"), ct);
        var inventoryWaterfall = await browser.WaitForAsync(
            "(() => { const r = [...new Set([...document.querySelectorAll('#waterfall tbody tr')].map(x => x.dataset.resource))]; return r.includes('inventory') ? r.join(',') : ''; })()", ct);
        Assert.Contains("gateway", inventoryWaterfall, StringComparison.Ordinal);

        // The metrics page is rendered once per load and the gateway exports metrics periodically: reload until they arrived.
        var meters = string.Empty;
        while (!meters.Contains("Reference.Gateway", StringComparison.Ordinal))
        {
            await browser.NavigateAsync(new Uri(dashboard.Url!, "/metrics?resource=gateway"), ct);
            meters = await browser.WaitForAsync(
                "(() => { const h = document.querySelectorAll('#instruments h3'); return document.readyState === 'complete' && location.pathname === '/metrics' ? ([...h].map(x => x.textContent).join(',') || '-') : ''; })()", ct);
            if (!meters.Contains("Reference.Gateway", StringComparison.Ordinal))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            }
        }

        Assert.Contains("Microsoft.AspNetCore.Hosting", meters, StringComparison.Ordinal);
        await browser.ScreenshotAsync(Path.Combine(ScreenshotDirectory, "dashboard-metrics.png"), ct);

        await browser.NavigateAsync(new Uri(dashboard.Url!, $"/structuredlogs?resource=gateway"), ct);
        var logRows = await browser.WaitForAsync("String(document.querySelectorAll('#logs tbody tr').length || '')", ct);
        Assert.True(int.Parse(logRows, System.Globalization.CultureInfo.InvariantCulture) > 0);
        output.WriteLine($"screenshots: {ScreenshotDirectory}");
    }

    private static async Task<string> GetTokenAsync(ReferenceTestApp app, string scope, CancellationToken ct)
    {
        var secret = app.GetParameterValue("demo-client-secret");
        using var identity = app.CreateHttpClient("identity");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = scope }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"demo-client:{secret}")));
        using var response = await identity.SendAsync(request, ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.True(response.IsSuccessStatusCode, $"token request failed: {(int)response.StatusCode} {body}");
        return body.GetProperty("access_token").GetString()!;
    }

    /// <summary>Sends a request with a W3C traceparent of our own, so the trace id is known.</summary>
    private static async Task<string> SendThroughGatewayAsync(ReferenceTestApp app, string path, string token, CancellationToken ct)
    {
        var traceId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        using var gateway = app.CreateHttpClient("gateway");
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("traceparent", $"00-{traceId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}-01");
        using var response = await gateway.SendAsync(request, ct);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        return traceId;
    }

    /// <summary>The trace with our id; if the gateway started a fresh trace instead, the newest one that involves every resource.</summary>
    private static async Task<TraceSnapshot> WaitForTraceAsync(TelemetryStore telemetry, string traceId, string[] resources, CancellationToken ct)
    {
        while (true)
        {
            var candidate = telemetry.GetTrace(traceId)
                is { } own && resources.All(r => own.Spans.Any(s => s.Resource == r))
                ? own
                : telemetry.GetTraces(resources[^1], null, null, 20).FirstOrDefault(t => resources.All(r => t.Spans.Any(s => s.Resource == r)));
            if (candidate is not null)
            {
                return candidate;
            }

            await Task.Delay(250, ct);
        }
    }
}
