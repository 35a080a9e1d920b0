using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Reference.AppHost.Hosting.Orchestration;

namespace Reference.AppHost.Hosting.Watchdog;

/// <summary>
/// The AppHost executable in watchdog mode (<c>AppHost --watchdog {apphost pid} -- {command} {args}</c>)
/// wraps a process that is not ours (redis-server, Garnet) and so cannot watch the AppHost itself:
/// it forwards SIGTERM to it, exits with its exit code, and kills it when the AppHost is gone
/// (reparented, or the pid no longer alive), even when the AppHost was SIGKILLed.
/// </summary>
public static class ProcessWatchdog
{
    private const string Switch = "--watchdog";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// When <paramref name="args"/> start with <c>--watchdog</c>, runs the watchdog and exits the process
    /// with the wrapped process's exit code; otherwise returns at once.
    /// </summary>
    /// <param name="args">The AppHost's command-line arguments.</param>
    public static void RunIfRequested(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length >= 4 && args[0] == Switch && args[2] == "--"
            && int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var appHostPid))
        {
            Run(appHostPid, args[3], args[4..]);
        }
    }

    internal static IReadOnlyList<string> WrapArguments(int appHostPid, string fileName, IReadOnlyList<string> arguments) =>
        [typeof(ProcessWatchdog).Assembly.Location, Switch, appHostPid.ToString(CultureInfo.InvariantCulture), "--", fileName, .. arguments];

    /// <summary>Never returns: exits with the wrapped process's exit code (127 if it could not start).</summary>
    private static void Run(int appHostPid, string fileName, string[] arguments)
    {
        var originalParent = ProcessSignals.GetParentProcessId();
        var startInfo = new ProcessStartInfo(fileName, arguments) { UseShellExecute = false };
        using var child = Process.Start(startInfo);
        if (child is null)
        {
            Environment.Exit(127);
            return;
        }

        // SIGTERM (what the AppHost sends) is forwarded. SIGINT/SIGQUIT come from the terminal, which
        // delivers them to the whole process group, the wrapped server included: forwarding them too
        // would be a second signal (redis-server treats a second SIGINT as "exit now, uncleanly").
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            ProcessSignals.Send(child.Id, ProcessSignals.SigTerm);
        });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true);
        using var sigquit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, context => context.Cancel = true);
        while (!child.WaitForExit(PollInterval))
        {
            if (ProcessSignals.GetParentProcessId() != originalParent || !ParentIsAlive(appHostPid))
            {
                ProcessSignals.Send(child.Id, ProcessSignals.SigTerm);
                if (!child.WaitForExit(KillTimeout))
                {
                    child.Kill(entireProcessTree: true);
                    child.WaitForExit();
                }

                break;
            }
        }

        // Exit while the signal handlers are still registered: a SIGTERM from the AppHost arriving now
        // must not kill the watchdog with 143 and hide the server's own exit code.
        Environment.Exit(child.ExitCode);
    }

    private static bool ParentIsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
