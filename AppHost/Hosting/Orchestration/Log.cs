using Microsoft.Extensions.Logging;

namespace Reference.AppHost.Hosting.Orchestration;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Error, "Resource {ResourceName} exited unexpectedly with code {ExitCode}")]
    public static partial void ResourceExited(ILogger logger, string resourceName, int exitCode);

    [LoggerMessage(2, LogLevel.Error, "Resource {ResourceName} failed to start: {Reason}")]
    public static partial void ResourceFailedToStart(ILogger logger, string resourceName, string reason);

    [LoggerMessage(3, LogLevel.Warning, "Process {ProcessId} did not stop within {Timeout} of SIGTERM: killing it")]
    public static partial void KillingAfterTimeout(ILogger logger, int processId, TimeSpan timeout);

}
