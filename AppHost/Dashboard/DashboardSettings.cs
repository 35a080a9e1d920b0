using System.Globalization;
using Microsoft.Extensions.Configuration;
using Reference.AppHost.Otlp;

namespace Reference.AppHost.Dashboard;

/// <summary>
/// The dashboard's settings (configuration section <c>AppHost:Dashboard</c>). On by default for
/// <c>dotnet run</c>, off by default under the testing builder (a test turns it on with
/// <c>AppHost:Dashboard:Enabled=true</c> and port 0 URLs).
/// </summary>
internal sealed record DashboardSettings
{
    public const string Section = "AppHost:Dashboard";

    public bool Enabled { get; init; }

    /// <summary>Where the browser UI listens (<c>AppHost:Dashboard:Url</c>, default http://localhost:18888).</summary>
    public Uri Url { get; init; } = new("http://localhost:18888");

    /// <summary>Where the OTLP/HTTP receiver listens (<c>AppHost:Dashboard:OtlpUrl</c>, default http://localhost:18889).</summary>
    public Uri OtlpUrl { get; init; } = new("http://localhost:18889");

    /// <summary>The largest OTLP export body accepted, after decompression (<c>AppHost:Dashboard:MaxOtlpBodyBytes</c>, default 4 MiB).</summary>
    public long MaxOtlpBodyBytes { get; init; } = 4 * 1024 * 1024;

    public TelemetryLimits Limits { get; init; } = new();

    public static DashboardSettings FromConfiguration(IConfiguration configuration, bool isTesting)
    {
        var enabledText = configuration[$"{Section}:Enabled"];
        bool enabled;
        if (string.IsNullOrWhiteSpace(enabledText))
        {
            enabled = !isTesting;
        }
        else if (!bool.TryParse(enabledText, out enabled))
        {
            throw new InvalidOperationException($"{Section}:Enabled must be true or false (was '{enabledText}').");
        }

        var defaults = new TelemetryLimits();
        return new DashboardSettings
        {
            Enabled = enabled,
            Url = ReadUrl(configuration, $"{Section}:Url", new Uri("http://localhost:18888")),
            OtlpUrl = ReadUrl(configuration, $"{Section}:OtlpUrl", new Uri("http://localhost:18889")),
            MaxOtlpBodyBytes = ReadInt(configuration, $"{Section}:MaxOtlpBodyBytes", 4 * 1024 * 1024),
            Limits = new TelemetryLimits
            {
                MaxLogEntriesPerResource = ReadInt(configuration, $"{Section}:Limits:MaxLogEntriesPerResource", defaults.MaxLogEntriesPerResource),
                MaxTraces = ReadInt(configuration, $"{Section}:Limits:MaxTraces", defaults.MaxTraces),
                MaxSpansPerTrace = ReadInt(configuration, $"{Section}:Limits:MaxSpansPerTrace", defaults.MaxSpansPerTrace),
                MetricsWindow = TimeSpan.FromMinutes(ReadInt(configuration, $"{Section}:Limits:MetricsWindowMinutes", (int)defaults.MetricsWindow.TotalMinutes)),
                MaxPointsPerSeries = ReadInt(configuration, $"{Section}:Limits:MaxPointsPerSeries", defaults.MaxPointsPerSeries),
                MaxSeriesPerInstrument = ReadInt(configuration, $"{Section}:Limits:MaxSeriesPerInstrument", defaults.MaxSeriesPerInstrument),
                MaxInstrumentsPerResource = ReadInt(configuration, $"{Section}:Limits:MaxInstrumentsPerResource", defaults.MaxInstrumentsPerResource),
                MaxResources = ReadInt(configuration, $"{Section}:Limits:MaxResources", defaults.MaxResources),
            },
        };
    }

    private static Uri ReadUrl(IConfiguration configuration, string key, Uri fallback)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps) && url.AbsolutePath == "/"
            ? url
            : throw new InvalidOperationException($"{key} must be an absolute http(s) URL without a path, such as http://localhost:18888 (was '{text}').");
    }

    private static int ReadInt(IConfiguration configuration, string key, int fallback) =>
        configuration[key] is not { Length: > 0 } text
            ? fallback
            : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
                ? value
                : throw new InvalidOperationException($"{key} must be a positive integer (was '{text}').");
}
