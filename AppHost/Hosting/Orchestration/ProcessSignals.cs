using System.Runtime.InteropServices;

namespace Reference.AppHost.Hosting.Orchestration;

/// <summary>POSIX signals through libc (graceful stop before kill; the watchdog's parent check).</summary>
internal static partial class ProcessSignals
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    /// <summary>Sends <paramref name="signal"/>; false if the process is gone. On Windows there is no SIGTERM: it returns false.</summary>
    public static bool Send(int processId, int signal) =>
        !OperatingSystem.IsWindows() && Kill(processId, signal) == 0;

    /// <summary>The parent process id (Unix only; 0 elsewhere).</summary>
    public static int GetParentProcessId() => OperatingSystem.IsWindows() ? 0 : GetPpid();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int sig);

    [LibraryImport("libc", EntryPoint = "getppid")]
    private static partial int GetPpid();
}
