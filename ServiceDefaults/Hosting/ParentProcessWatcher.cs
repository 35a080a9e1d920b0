using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Reference.ServiceDefaults.Hosting;

/// <summary>
/// Stops the host when the AppHost that launched it is gone (even SIGKILLed), so no service outlives
/// it as an orphan. The AppHost passes its process id in <c>REFERENCE_APPHOST_PID</c>; without it
/// (the service started on its own) the watcher does nothing.
/// </summary>
internal sealed partial class ParentProcessWatcher(
    IConfiguration configuration,
    IHostApplicationLifetime lifetime,
    TimeProvider timeProvider,
    ILogger<ParentProcessWatcher> logger) : BackgroundService
{
    public const string PidVariable = "REFERENCE_APPHOST_PID";
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!int.TryParse(configuration[PidVariable], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return;
        }

        // The start time tells the AppHost apart from a later process that reuses its pid.
        var startTime = TryGetStartTime(pid);
        if (startTime is null)
        {
            ParentGone(logger, pid);
            lifetime.StopApplication();
            return;
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(PollInterval, timeProvider, stoppingToken);
                if (TryGetStartTime(pid) != startTime)
                {
                    ParentGone(logger, pid);
                    lifetime.StopApplication();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Host stopping.
        }
    }

    /// <summary>The process start time, or null when it is gone (a zombie counts as gone).</summary>
    internal static DateTime? TryGetStartTime(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited || IsZombie(pid))
            {
                return null;
            }

            return process.StartTime;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static bool IsZombie(int pid)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            // /proc/<pid>/stat: "pid (comm) S ..."; the state follows the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault();
            return state is 'Z' or 'X';
        }
        catch (IOException)
        {
            return true;
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "The AppHost (pid {Pid}) is gone: stopping this service")]
    private static partial void ParentGone(ILogger logger, int pid);
}
