using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Reference.AppHost.Hosting.Orchestration;

/// <summary>The AppHost's own settings (configuration section <c>AppHost</c>).</summary>
internal sealed record AppHostSettings
{
    public string? OtlpEndpoint { get; init; }

    /// <summary>OTEL_EXPORTER_OTLP_HEADERS for every child (the dashboard receiver's API key).</summary>
    public string? OtlpHeaders { get; init; }

    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan HealthyCheckInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan UnhealthyCheckInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    public int LogBufferLines { get; init; } = 1000;

    public static AppHostSettings FromConfiguration(IConfiguration configuration)
    {
        var otlp = configuration["AppHost:Otlp:Endpoint"];
        if (!string.IsNullOrWhiteSpace(otlp) && !Uri.TryCreate(otlp, UriKind.Absolute, out _))
        {
            throw new InvalidOperationException($"AppHost:Otlp:Endpoint must be an absolute URL (was '{otlp}').");
        }

        return new AppHostSettings
        {
            OtlpEndpoint = string.IsNullOrWhiteSpace(otlp) ? null : otlp,
            ShutdownTimeout = ReadTimeSpan(configuration, "AppHost:ShutdownTimeout", TimeSpan.FromSeconds(10)),
            LogBufferLines = ReadInt(configuration, "AppHost:LogBufferLines", 1000),
        };
    }

    private static TimeSpan ReadTimeSpan(IConfiguration configuration, string key, TimeSpan fallback) =>
        configuration[key] is not { Length: > 0 } text
            ? fallback
            : TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value > TimeSpan.Zero
                ? value
                : throw new InvalidOperationException($"{key} must be a positive TimeSpan such as 00:00:10 (was '{text}').");

    private static int ReadInt(IConfiguration configuration, string key, int fallback) =>
        configuration[key] is not { Length: > 0 } text
            ? fallback
            : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
                ? value
                : throw new InvalidOperationException($"{key} must be a positive integer (was '{text}').");
}
