using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Reference.AppHost.Hosting.Orchestration;
using Reference.AppHost.Otlp.Storage;
using static Reference.AppHost.Dashboard.Html;

namespace Reference.AppHost.Dashboard;

/// <summary>
/// The dashboard's pages, rendered on the server: resources, console logs, structured logs, traces
/// and metrics. Each page renders a fragment (<c>?partial=1</c>) that dashboard.js polls for live updates.
/// </summary>
internal sealed class DashboardPages(
    DashboardAuth auth,
    ResourceNotificationService notifications,
    ResourceLogStore consoleLogs,
    IResourceControl control,
    TelemetryStore telemetry,
    TimeProvider timeProvider,
    ILogger logger)
{
    private const int MaxConsoleLines = 2_000;
    private const int MaxRows = 500;
    private static readonly int[] WindowMinutes = [1, 5, 15, 30];

    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.CacheControl = "no-store";
            var path = context.Request.Path;
            if (path.StartsWithSegments("/login") || path.StartsWithSegments("/assets") || auth.IsAuthenticated(context))
            {
                await next(context);
                return;
            }

            await WriteLoginPageAsync(context, StatusCodes.Status401Unauthorized, "Sign in with the login link the AppHost printed at startup.");
        });

        Get(app, "/assets/{file}", ServeAssetAsync);
        Get(app, "/login", LoginAsync);
        Get(app, "/", context =>
        {
            context.Response.Redirect("/resources");
            return Task.CompletedTask;
        });
        Get(app, "/resources", ResourcesAsync);
        app.MapPost("/resources/{name}/{action}", new RequestDelegate(ResourceActionAsync));
        Get(app, "/console", ConsoleAsync);
        Get(app, "/structuredlogs", StructuredLogsAsync);
        Get(app, "/structuredlogs/{id}", LogDetailAsync);
        Get(app, "/traces", TracesAsync);
        Get(app, "/traces/{traceId}", TraceDetailAsync);
        Get(app, "/metrics", MetricsAsync);
    }

    private static void Get(IEndpointRouteBuilder app, string pattern, Func<HttpContext, Task> handler) =>
        app.MapGet(pattern, new RequestDelegate(handler));

    private static async Task ServeAssetAsync(HttpContext context)
    {
        var file = context.Request.RouteValues["file"] as string;
        var contentType = file switch
        {
            "dashboard.css" => "text/css; charset=utf-8",
            "dashboard.js" => "text/javascript; charset=utf-8",
            _ => null,
        };
        await using var stream = contentType is null ? null : typeof(DashboardPages).Assembly.GetManifestResourceStream("Dashboard.Assets." + file);
        if (stream is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        context.Response.ContentType = contentType;
        context.Response.Headers.CacheControl = "no-cache";
        await stream.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    private async Task LoginAsync(HttpContext context)
    {
        var token = context.Request.Query["t"];
        if (token.Count == 0)
        {
            await WriteLoginPageAsync(context, StatusCodes.Status401Unauthorized, "Sign in with the login link the AppHost printed at startup.");
            return;
        }

        if (token.Count != 1 || !auth.IsValidBrowserToken(token[0]))
        {
            await WriteLoginPageAsync(context, StatusCodes.Status401Unauthorized, "That token is not valid for this run of the AppHost.");
            return;
        }

        auth.SignIn(context);

        // A page rather than a redirect: the cookie is SameSite=Strict, and the link usually comes from
        // outside the site (a terminal), so the next navigation must start on this origin.
        await WriteHtmlAsync(context, "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0;url=/resources\">"
            + "<title>Signed in · Reference dashboard</title><link rel=\"stylesheet\" href=\"/assets/dashboard.css\"></head>"
            + "<body><main><p>Signed in. <a id=\"continue\" href=\"/resources\">Continue to the dashboard</a>.</p></main></body></html>");
    }

    private static Task WriteLoginPageAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return WriteHtmlAsync(context, "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in · Reference dashboard</title>"
            + "<link rel=\"stylesheet\" href=\"/assets/dashboard.css\"></head><body><main class=\"login\"><h1>Reference dashboard</h1>"
            + $"<p>{E(message)}</p><form method=\"get\" action=\"/login\"><label>Token <input type=\"password\" name=\"t\" autocomplete=\"off\"></label> "
            + "<button type=\"submit\">Sign in</button></form></main></body></html>");
    }

    private static Task WriteHtmlAsync(HttpContext context, string html)
    {
        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.WriteAsync(html, context.RequestAborted);
    }

    private static bool IsPartial(HttpContext context) => context.Request.Query["partial"] == "1";

    private static string Live(string url, string content, bool follow = false) =>
        $"<div id=\"live\" class=\"live\" data-live=\"{E(url)}\"{(follow ? " data-follow=\"true\"" : "")}>{content}</div>";

    private static Task PageAsync(HttpContext context, string title, string path, string body) => WriteHtmlAsync(context, Page(title, path, body));

    // ---------------------------------------------------------------- resources

    private Task ResourcesAsync(HttpContext context)
    {
        var table = RenderResources();
        if (IsPartial(context))
        {
            return WriteHtmlAsync(context, table);
        }

        var body = "<p class=\"hint\"><label><input type=\"checkbox\" id=\"pause\"> Pause live updates</label></p>" + Live("/resources?partial=1", table);
        return PageAsync(context, "Resources", "/resources", body);
    }

    internal string RenderResources()
    {
        var html = new StringBuilder("<table class=\"grid\" id=\"resources\"><thead><tr><th>Name</th><th>Type</th><th>State</th><th>Health</th>"
            + "<th>Start time</th><th>PID</th><th>URLs</th><th>Actions</th></tr></thead><tbody>");
        foreach (var snapshot in notifications.GetSnapshots().Where(s => s.ResourceType != "Parameter"))
        {
            var started = notifications.GetHistory(snapshot.Name).LastOrDefault(h => h.State == KnownResourceState.Running)?.Timestamp;
            var state = snapshot.State.ToString();
            var health = snapshot.Health.ToString();
            html.Append(CultureInfo.InvariantCulture, $"<tr data-resource=\"{E(snapshot.Name)}\"><td class=\"name\">{E(snapshot.Name)}</td><td>{E(snapshot.ResourceType)}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td><span class=\"badge state-{E(state.ToLowerInvariant())}\">{E(state)}</span>")
                .Append(snapshot.Message is { Length: > 0 } message ? $"<div class=\"muted\">{E(message)}</div>" : "")
                .Append(snapshot.ExitCode is { } code ? string.Create(CultureInfo.InvariantCulture, $"<div class=\"muted\">exit code {code}</div>") : "")
                .Append(CultureInfo.InvariantCulture, $"</td><td><span class=\"badge health-{E(health.ToLowerInvariant())}\">{E(health)}</span></td>")
                .Append(CultureInfo.InvariantCulture, $"<td>{(started is { } s ? E(Html.DateTime(s)) : "")}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td>{E(string.Join(", ", snapshot.ProcessIds))}</td>")
                .Append("<td>").AppendJoin("<br>", ResourceUrls(snapshot)).Append("</td><td class=\"actions\">");
            var running = snapshot.State is KnownResourceState.Running or KnownResourceState.Starting or KnownResourceState.Waiting;
            foreach (var action in running ? new[] { "stop", "restart" } : ["start"])
            {
                html.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"/resources/{Q(snapshot.Name)}/{action}\" class=\"inline\">")
                    .Append(CultureInfo.InvariantCulture, $"<input type=\"hidden\" name=\"{DashboardAuth.CsrfFieldName}\" value=\"{E(auth.CsrfToken)}\">")
                    .Append(CultureInfo.InvariantCulture, $"<button type=\"submit\">{char.ToUpperInvariant(action[0])}{action[1..]}</button></form>");
            }

            html.Append(CultureInfo.InvariantCulture, $" <a href=\"/console?resource={Q(snapshot.Name)}\">Console</a></td></tr>");
            if (snapshot.Replicas.Count > 1)
            {
                RenderReplicas(html, snapshot);
            }
        }

        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>A replicated resource's row shows the load balancer's URL; each replica has a row of its own below it.</summary>
    private static IEnumerable<string> ResourceUrls(ResourceSnapshot snapshot) =>
        snapshot.LoadBalancerUrl is { } loadBalancer
            ? [Link(loadBalancer) + " <span class=\"muted\">load balancer</span>"]
            : snapshot.Urls.Select(Link);

    private static void RenderReplicas(StringBuilder html, ResourceSnapshot snapshot)
    {
        foreach (var replica in snapshot.Replicas)
        {
            var state = replica.State.ToString();
            var health = replica.Health.ToString();
            var routed = replica.IsReady ? "<div class=\"muted\">receives traffic</div>" : "<div class=\"muted\">no traffic</div>";
            html.Append(CultureInfo.InvariantCulture, $"<tr class=\"replica\" data-resource=\"{E(snapshot.Name)}\" data-replica=\"{replica.Index}\">")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"name\">↳ {E(snapshot.Name)}-{replica.Index}</td><td>Replica</td>")
                .Append(CultureInfo.InvariantCulture, $"<td><span class=\"badge state-{E(state.ToLowerInvariant())}\">{E(state)}</span>")
                .Append(replica.ExitCode is { } code ? string.Create(CultureInfo.InvariantCulture, $"<div class=\"muted\">exit code {code}</div>") : "")
                .Append(snapshot.LoadBalancerUrl is null ? "" : routed)
                .Append(CultureInfo.InvariantCulture, $"</td><td><span class=\"badge health-{E(health.ToLowerInvariant())}\">{E(health)}</span></td><td></td>")
                .Append(CultureInfo.InvariantCulture, $"<td>{(replica.ProcessId is { } pid ? pid.ToString(CultureInfo.InvariantCulture) : "")}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td>{(replica.Url is { } url ? Link(url) : "")}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"actions\"><a href=\"/console?resource={Q(ResourceLogStore.ReplicaKey(snapshot.Name, replica.Index))}\">Console</a></td></tr>");
        }
    }

    private async Task ResourceActionAsync(HttpContext context)
    {
        var name = context.Request.RouteValues["name"] as string ?? "";
        var action = context.Request.RouteValues["action"] as string ?? "";
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted) : null;
        if (form is null || !auth.IsValidCsrfToken(form[DashboardAuth.CsrfFieldName]))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync("invalid_csrf_token", context.RequestAborted);
            return;
        }

        if (!notifications.GetSnapshots().Any(s => s.Name == name && s.ResourceType != "Parameter") || action is not ("stop" or "start" or "restart"))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        // The action runs on its own: a stop waits up to the shutdown timeout, the page does not.
        _ = Task.Run(async () =>
        {
            try
            {
                _ = action switch
                {
                    "stop" => await control.StopResourceAsync(name),
                    "start" => control.StartResource(name),
                    _ => await control.RestartResourceAsync(name),
                };
            }
            catch (Exception ex)
            {
                DashboardLog.ActionFailed(logger, action, name, ex);
            }
        });
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = "/resources";
    }

    // ---------------------------------------------------------------- console logs

    private Task ConsoleAsync(HttpContext context)
    {
        // Every resource, and each replica of a replicated one (its own buffer, e.g. gateway#1).
        var logs = notifications.GetSnapshots().Where(s => s.ResourceType != "Parameter")
            .SelectMany<ResourceSnapshot, (string Key, string Label)>(s => s.Replicas.Count > 1
                ? s.Replicas.Select(r => (Key: ResourceLogStore.ReplicaKey(s.Name, r.Index), Label: string.Create(CultureInfo.InvariantCulture, $"{s.Name} replica {r.Index}"))).Prepend((s.Name, s.Name + " (all replicas)"))
                : [(s.Name, s.Name)])
            .ToList();
        var names = logs.Select(l => l.Key).ToList();
        var resource = context.Request.Query["resource"].ToString();
        if (!names.Contains(resource))
        {
            resource = names.FirstOrDefault() ?? "";
        }

        var filter = context.Request.Query["filter"].ToString();
        var lines = consoleLogs.GetTail(resource, MaxConsoleLines)
            .Where(l => filter.Length == 0 || l.Contains(filter, StringComparison.OrdinalIgnoreCase));
        var pre = "<pre class=\"console\">" + string.Join("\n", lines.Select(E)) + "</pre>";
        if (IsPartial(context))
        {
            return WriteHtmlAsync(context, pre);
        }

        var body = "<form method=\"get\" class=\"filters\">" + Select("resource", resource, logs)
            + Input("filter", filter, "Filter lines") + "<button type=\"submit\">Apply</button>"
            + "<label><input type=\"checkbox\" id=\"pause\"> Pause</label></form>"
            + Live($"/console?resource={Q(resource)}&filter={Q(filter)}&partial=1", pre, follow: true);
        return PageAsync(context, "Console logs", "/console", body);
    }

    // ---------------------------------------------------------------- structured logs

    private Task StructuredLogsAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var resource = query["resource"].ToString();
        var level = query["level"].ToString();
        var text = query["text"].ToString();
        var traceId = query["traceId"].ToString();
        var minSeverity = LogLevels.All.FirstOrDefault(l => l.Name == level).MinSeverity;
        var entries = telemetry.GetLogs(resource, minSeverity, text, traceId, MaxRows);
        var table = new StringBuilder("<table class=\"grid\" id=\"logs\"><thead><tr><th>Time</th><th>Resource</th><th>Level</th><th>Category</th><th>Message</th><th>Trace</th><th></th></tr></thead><tbody>");
        foreach (var entry in entries)
        {
            table.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(Time(entry.Timestamp))}</td><td>{E(entry.Resource)}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td><span class=\"badge level-{E(entry.Level.ToLowerInvariant())}\">{E(entry.Level)}</span></td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"muted\">{E(entry.Category)}</td><td class=\"message\">{E(entry.Message)}</td>")
                .Append(entry.TraceId.Length > 0 ? $"<td><a href=\"/traces/{Q(entry.TraceId)}\">{E(entry.TraceId[..Math.Min(8, entry.TraceId.Length)])}</a></td>" : "<td></td>")
                .Append(CultureInfo.InvariantCulture, $"<td><a href=\"/structuredlogs/{entry.Id}\">Details</a></td></tr>");
        }

        table.Append("</tbody></table>");
        if (IsPartial(context))
        {
            return WriteHtmlAsync(context, table.ToString());
        }

        var resources = telemetry.GetResources().Select(r => (r, r)).Prepend(("", "All resources"));
        var levels = LogLevels.All.Select(l => (l.Name, $"{l.Name} and above")).Prepend(("", "Any level"));
        var body = "<form method=\"get\" class=\"filters\">" + Select("resource", resource, resources) + Select("level", level, levels)
            + Input("text", text, "Message contains") + Input("traceId", traceId, "Trace id") + "<button type=\"submit\">Apply</button>"
            + "<label><input type=\"checkbox\" id=\"pause\"> Pause</label></form>"
            + Live($"/structuredlogs?resource={Q(resource)}&level={Q(level)}&text={Q(text)}&traceId={Q(traceId)}&partial=1", table.ToString());
        return PageAsync(context, "Structured logs", "/structuredlogs", body);
    }

    private Task LogDetailAsync(HttpContext context)
    {
        var idText = context.Request.RouteValues["id"] as string;
        if (!long.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || telemetry.GetLog(id) is not { } entry)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return PageAsync(context, "Log entry not found", "/structuredlogs", "<p>The entry is gone (the buffer is bounded) or never existed.</p>");
        }

        var body = new StringBuilder("<dl class=\"fields\">")
            .Append(CultureInfo.InvariantCulture, $"<dt>Time</dt><dd>{E(Html.DateTime(entry.Timestamp))} ({E(Time(entry.Timestamp))})</dd>")
            .Append(CultureInfo.InvariantCulture, $"<dt>Resource</dt><dd>{E(entry.Resource)} <span class=\"muted\">{E(entry.InstanceId)}</span></dd>")
            .Append(CultureInfo.InvariantCulture, $"<dt>Level</dt><dd>{E(entry.Level)} {E(entry.SeverityText)}</dd>")
            .Append(CultureInfo.InvariantCulture, $"<dt>Category</dt><dd>{E(entry.Category)}</dd>")
            .Append(CultureInfo.InvariantCulture, $"<dt>Message</dt><dd class=\"message\">{E(entry.Message)}</dd>")
            .Append(entry.TraceId.Length > 0 ? $"<dt>Trace</dt><dd><a href=\"/traces/{Q(entry.TraceId)}?span={Q(entry.SpanId)}\">{E(entry.TraceId)}</a> span {E(entry.SpanId)}</dd>" : "")
            .Append("</dl><h2>Attributes</h2>")
            .Append(AttributesTable(entry.Attributes.Where(a => !a.Key.StartsWith("exception.", StringComparison.Ordinal))));
        if (entry.Exception is { } exception)
        {
            body.Append(CultureInfo.InvariantCulture, $"<h2>Exception</h2><pre class=\"exception\">{E(exception)}</pre>");
        }

        return PageAsync(context, "Log entry", "/structuredlogs", body.ToString());
    }

    // ---------------------------------------------------------------- traces

    private Task TracesAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var resource = query["resource"].ToString();
        var name = query["name"].ToString();
        var attribute = query["attribute"].ToString();
        var traces = telemetry.GetTraces(resource, name, attribute, MaxRows);
        var colors = ResourceColors();
        var table = new StringBuilder("<table class=\"grid\" id=\"traces\"><thead><tr><th>Time</th><th>Name</th><th>Resources (spans)</th><th>Spans</th><th>Duration</th><th></th></tr></thead><tbody>");
        foreach (var trace in traces)
        {
            table.Append(CultureInfo.InvariantCulture, $"<tr{(trace.HasError ? " class=\"error\"" : "")}><td>{E(Time(trace.Start))}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td><a href=\"/traces/{Q(trace.TraceId)}\">{E(trace.Root.Resource)}: {E(trace.Root.Name)}</a></td><td>")
                .AppendJoin(" ", trace.Resources.Select(r => $"<span class=\"badge {colors(r.Resource)}\">{E(r.Resource)} ({r.Spans})</span>"))
                .Append(CultureInfo.InvariantCulture, $"</td><td>{trace.Spans.Count}</td><td>{E(Duration(trace.Duration))}</td>")
                .Append(trace.HasError ? "<td><span class=\"badge level-error\">Error</span></td>" : "<td></td>").Append("</tr>");
        }

        table.Append("</tbody></table>");
        if (IsPartial(context))
        {
            return WriteHtmlAsync(context, table.ToString());
        }

        var resources = telemetry.GetResources().Select(r => (r, r)).Prepend(("", "All resources"));
        var body = "<form method=\"get\" class=\"filters\">" + Select("resource", resource, resources) + Input("name", name, "Span name contains")
            + Input("attribute", attribute, "Attribute key=value") + "<button type=\"submit\">Apply</button>"
            + "<label><input type=\"checkbox\" id=\"pause\"> Pause</label></form>"
            + Live($"/traces?resource={Q(resource)}&name={Q(name)}&attribute={Q(attribute)}&partial=1", table.ToString());
        return PageAsync(context, "Traces", "/traces", body);
    }

    private Task TraceDetailAsync(HttpContext context)
    {
        var traceId = context.Request.RouteValues["traceId"] as string ?? "";
        if (telemetry.GetTrace(traceId) is not { Spans.Count: > 0 } trace)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return PageAsync(context, "Trace not found", "/traces", "<p>The trace is gone (the buffer is bounded) or has not been exported yet.</p>");
        }

        var selectedId = context.Request.Query["span"].ToString();
        var body = RenderTrace(trace, selectedId);
        return PageAsync(context, $"Trace {trace.Root.Resource}: {trace.Root.Name}", "/traces", body);
    }

    /// <summary>The waterfall: spans in tree order (children under their parent, by start time), bars offset and sized in % of the trace.</summary>
    internal string RenderTrace(TraceSnapshot trace, string? selectedSpanId)
    {
        var colors = ResourceColors();
        var start = trace.StartNanos;
        var total = Math.Max(1UL, trace.EndNanos - start);
        var ordered = WaterfallOrder(trace);
        var selected = ordered.FirstOrDefault(s => s.Span.SpanId == selectedSpanId).Span ?? trace.Root;
        var html = new StringBuilder("<p class=\"summary\">")
            .Append(CultureInfo.InvariantCulture, $"<span>{E(Html.DateTime(trace.Start))}</span> · <span>{E(Duration(trace.Duration))}</span> · <span>{trace.Spans.Count} spans</span> · ")
            .AppendJoin(" ", trace.Resources.Select(r => $"<span class=\"badge {colors(r.Resource)}\">{E(r.Resource)} ({r.Spans})</span>"))
            .Append(trace.DroppedSpans > 0 ? string.Create(CultureInfo.InvariantCulture, $" · <span class=\"muted\">{trace.DroppedSpans} spans dropped (limit per trace)</span>") : "")
            .Append(CultureInfo.InvariantCulture, $" · <a href=\"/structuredlogs?traceId={Q(trace.TraceId)}\">Logs of this trace</a></p>")
            .Append("<table class=\"waterfall\" id=\"waterfall\"><thead><tr><th>Span</th><th>Resource</th><th class=\"timeline\">")
            .Append(CultureInfo.InvariantCulture, $"<div class=\"ticks\"><span>0</span><span>{E(Duration(OtlpTime.Between(0, total / 2)))}</span><span>{E(Duration(OtlpTime.Between(0, total)))}</span></div>")
            .Append("</th><th>Duration</th></tr></thead><tbody>");
        foreach (var (span, depth) in ordered)
        {
            var offset = (span.StartNanos - start) * 100.0 / total;
            var width = Math.Max(0.2, Math.Min(100 - offset, (double)(Math.Max(span.EndNanos, span.StartNanos) - span.StartNanos) * 100.0 / total));
            var rowClass = (span.SpanId == selected.SpanId ? "selected" : "") + (span.IsError ? " error" : "");
            html.Append(CultureInfo.InvariantCulture, $"<tr class=\"{rowClass.Trim()}\" data-span-id=\"{E(span.SpanId)}\" data-resource=\"{E(span.Resource)}\">")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"span-name indent-{Math.Min(depth, 20)}\"><a href=\"?span={Q(span.SpanId)}\">{E(span.Name)}</a></td>")
                .Append(CultureInfo.InvariantCulture, $"<td><span class=\"badge {colors(span.Resource)}\">{E(span.Resource)}</span></td>")
                .Append("<td class=\"timeline\"><svg class=\"bar\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" role=\"img\">")
                .Append(CultureInfo.InvariantCulture, $"<rect x=\"{offset:0.###}\" y=\"1\" width=\"{width:0.###}\" height=\"8\" class=\"{colors(span.Resource)}{(span.IsError ? " error" : "")}\"></rect></svg></td>")
                .Append(CultureInfo.InvariantCulture, $"<td>{E(Duration(span.Duration))}</td></tr>");
        }

        html.Append("</tbody></table>");
        html.Append(CultureInfo.InvariantCulture, $"<section class=\"span-detail\" id=\"span-detail\"><h2>{E(selected.Name)}</h2><dl class=\"fields\">")
            .Append(CultureInfo.InvariantCulture, $"<dt>Resource</dt><dd>{E(selected.Resource)} <span class=\"muted\">{E(selected.InstanceId)}</span></dd>")
            .Append(CultureInfo.InvariantCulture, $"<dt>Kind</dt><dd>{E(selected.Kind)}</dd><dt>Scope</dt><dd>{E(selected.Scope)}</dd>")
            .Append(CultureInfo.InvariantCulture, $"<dt>Start</dt><dd>{E(Time(selected.Start))} (+{E(Duration(OtlpTime.Between(start, selected.StartNanos)))})</dd>")
            .Append(CultureInfo.InvariantCulture, $"<dt>Duration</dt><dd>{E(Duration(selected.Duration))}</dd>")
            .Append(CultureInfo.InvariantCulture, $"<dt>Status</dt><dd>{E(selected.StatusCode)} {E(selected.StatusMessage)}</dd>")
            .Append(CultureInfo.InvariantCulture, $"<dt>Span id</dt><dd>{E(selected.SpanId)}</dd><dt>Parent</dt><dd>{E(selected.ParentSpanId)}</dd></dl>")
            .Append("<h2>Attributes</h2>").Append(AttributesTable(selected.Attributes))
            .Append("<h2>Events</h2>");
        if (selected.Events.Count == 0)
        {
            html.Append("<p class=\"muted\">No events.</p>");
        }

        foreach (var spanEvent in selected.Events)
        {
            html.Append(CultureInfo.InvariantCulture, $"<h3>{E(spanEvent.Name)} <span class=\"muted\">{E(Time(spanEvent.Timestamp))}</span></h3>")
                .Append(AttributesTable(spanEvent.Attributes));
        }

        return html.Append("</section>").ToString();
    }

    internal static IReadOnlyList<(SpanEntry Span, int Depth)> WaterfallOrder(TraceSnapshot trace)
    {
        var ids = trace.Spans.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
        var children = trace.Spans.Where(s => ids.Contains(s.ParentSpanId))
            .GroupBy(s => s.ParentSpanId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(s => s.StartNanos).ToList(), StringComparer.Ordinal);
        var result = new List<(SpanEntry, int)>(trace.Spans.Count);
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<(SpanEntry Span, int Depth)>();
        foreach (var root in trace.Spans.Where(s => !ids.Contains(s.ParentSpanId)).OrderByDescending(s => s.StartNanos))
        {
            stack.Push((root, 0));
        }

        while (stack.TryPop(out var item))
        {
            if (!visited.Add(item.Span.SpanId))
            {
                continue;
            }

            result.Add(item);
            if (children.TryGetValue(item.Span.SpanId, out var kids))
            {
                for (var i = kids.Count - 1; i >= 0; i--)
                {
                    stack.Push((kids[i], item.Depth + 1));
                }
            }
        }

        // Spans in a parent cycle (hostile input) are still listed, at the top level.
        result.AddRange(trace.Spans.Where(s => !visited.Contains(s.SpanId)).Select(s => (s, 0)));
        return result;
    }

    private Func<string, string> ResourceColors()
    {
        var names = notifications.GetSnapshots().Select(s => s.Name).Concat(telemetry.GetResources()).Distinct(StringComparer.Ordinal).ToList();
        return resource => "res-" + ((uint)Math.Max(0, names.IndexOf(resource)) % 8).ToString(CultureInfo.InvariantCulture);
    }

    // ---------------------------------------------------------------- metrics

    private Task MetricsAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var resources = telemetry.GetResources();
        var resource = query["resource"].ToString();
        if (!resources.Contains(resource))
        {
            resource = resources.Count > 0 ? resources[0] : "";
        }

        var meter = query["meter"].ToString();
        var name = query["instrument"].ToString();
        var minutes = int.TryParse(query["window"], NumberStyles.None, CultureInfo.InvariantCulture, out var w) && w is > 0 and <= 1440 ? w : 5;
        var detail = telemetry.GetInstrument(resource, meter, name) is { } instrument
            ? MetricsChart.Render(instrument, TimeSpan.FromMinutes(minutes), timeProvider.GetUtcNow())
            : "<p class=\"muted\">Choose an instrument.</p>";
        if (IsPartial(context))
        {
            return WriteHtmlAsync(context, detail);
        }

        var list = new StringBuilder("<nav class=\"instruments\" id=\"instruments\">");
        foreach (var group in telemetry.GetInstruments(resource).GroupBy(i => i.Meter))
        {
            list.Append(CultureInfo.InvariantCulture, $"<h3>{E(group.Key)}</h3><ul>");
            foreach (var i in group)
            {
                var active = i.Meter == meter && i.Name == name ? " class=\"active\"" : "";
                list.Append(CultureInfo.InvariantCulture, $"<li><a{active} href=\"/metrics?resource={Q(resource)}&meter={Q(i.Meter)}&instrument={Q(i.Name)}&window={minutes}\">{E(i.Name)}</a></li>");
            }

            list.Append("</ul>");
        }

        list.Append("</nav>");
        var windows = WindowMinutes.Select(m => (m.ToString(CultureInfo.InvariantCulture), $"Last {m} min"));
        var body = "<form method=\"get\" class=\"filters\">" + Select("resource", resource, resources.Select(r => (r, r)))
            + $"<input type=\"hidden\" name=\"meter\" value=\"{E(meter)}\"><input type=\"hidden\" name=\"instrument\" value=\"{E(name)}\">"
            + Select("window", minutes.ToString(CultureInfo.InvariantCulture), windows) + "<button type=\"submit\">Apply</button>"
            + "<label><input type=\"checkbox\" id=\"pause\"> Pause</label></form><div class=\"metrics\">" + list
            + Live($"/metrics?resource={Q(resource)}&meter={Q(meter)}&instrument={Q(name)}&window={minutes}&partial=1", detail) + "</div>";
        return PageAsync(context, "Metrics", "/metrics", body);
    }
}
