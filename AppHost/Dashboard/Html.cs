using System.Globalization;
using System.Net;
using System.Text;

namespace Reference.AppHost.Dashboard;

/// <summary>
/// Small helpers for server-rendered HTML. Every value that comes from a resource or from telemetry is
/// untrusted: it goes through <see cref="E"/> (text and attribute values) or <see cref="Q"/> (query strings).
/// </summary>
internal static class Html
{
    public static readonly IReadOnlyList<(string Path, string Title)> Navigation =
    [
        ("/resources", "Resources"), ("/console", "Console logs"), ("/structuredlogs", "Structured logs"), ("/traces", "Traces"), ("/metrics", "Metrics"),
    ];

    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    public static string Q(string? text) => Uri.EscapeDataString(text ?? "");

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);

    public static string DateTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    public static string Duration(TimeSpan duration) => duration.TotalMilliseconds switch
    {
        < 1 => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMicroseconds:0}µs"),
        < 1000 => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0.##}ms"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.###}s"),
    };

    public static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>A link only for absolute http(s) URLs; anything else is shown as text.</summary>
    public static string Link(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? $"<a href=\"{E(uri.AbsoluteUri)}\" target=\"_blank\" rel=\"noopener noreferrer\">{E(url)}</a>"
            : E(url);

    public static string Select(string name, string selected, IEnumerable<(string Value, string Label)> options, bool autoSubmit = true)
    {
        var html = new StringBuilder($"<select name=\"{E(name)}\"{(autoSubmit ? " data-autosubmit=\"true\"" : "")}>");
        foreach (var (value, label) in options)
        {
            html.Append(CultureInfo.InvariantCulture, $"<option value=\"{E(value)}\"{(value == selected ? " selected" : "")}>{E(label)}</option>");
        }

        return html.Append("</select>").ToString();
    }

    public static string Input(string name, string value, string placeholder) =>
        $"<input type=\"search\" name=\"{E(name)}\" value=\"{E(value)}\" placeholder=\"{E(placeholder)}\">";

    public static string AttributesTable(IEnumerable<Otlp.Storage.TelemetryAttribute> attributes)
    {
        var html = new StringBuilder("<table class=\"attributes\"><thead><tr><th>Name</th><th>Value</th></tr></thead><tbody>");
        foreach (var attribute in attributes)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(attribute.Key)}</td><td class=\"value\">{E(attribute.Value)}</td></tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    public static string Page(string title, string activePath, string body) =>
        new StringBuilder()
            .Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">")
            .Append(CultureInfo.InvariantCulture, $"<title>{E(title)} · Reference dashboard</title>")
            .Append("<link rel=\"stylesheet\" href=\"/assets/dashboard.css\"><script src=\"/assets/dashboard.js\" defer></script></head><body>")
            .Append("<header><span class=\"brand\">Reference</span><nav>")
            .AppendJoin("", Navigation.Select(n => $"<a href=\"{n.Path}\"{(n.Path == activePath ? " class=\"active\"" : "")}>{E(n.Title)}</a>"))
            .Append(CultureInfo.InvariantCulture, $"</nav></header><main><h1>{E(title)}</h1>")
            .Append(body)
            .Append("</main></body></html>")
            .ToString();
}
