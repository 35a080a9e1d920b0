namespace Reference.AppHost.Hosting;

/// <summary>
/// A resource did not reach Running and Healthy: it exited, failed to start, or was not healthy in time.
/// Carries what is needed to diagnose it without reading the AppHost's console.
/// </summary>
public sealed class ResourceStartupException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="snapshot">The failing resource's snapshot.</param>
    /// <param name="logTail">The last lines of the resource's stdout/stderr.</param>
    /// <param name="reason">What went wrong, in a sentence.</param>
    public ResourceStartupException(ResourceSnapshot snapshot, IReadOnlyList<string> logTail, string reason)
        : base(FormatMessage(snapshot, logTail, reason))
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ResourceName = snapshot.Name;
        State = snapshot.State;
        Health = snapshot.Health;
        ExitCode = snapshot.ExitCode;
        LogTail = logTail;
    }

    /// <summary>The failing resource.</summary>
    public string ResourceName { get; }

    /// <summary>Its state when the start was abandoned.</summary>
    public KnownResourceState State { get; }

    /// <summary>Its health when the start was abandoned.</summary>
    public ResourceHealthStatus Health { get; }

    /// <summary>The exit code, when it exited.</summary>
    public int? ExitCode { get; }

    /// <summary>The last lines the resource wrote.</summary>
    public IReadOnlyList<string> LogTail { get; }

    private static string FormatMessage(ResourceSnapshot snapshot, IReadOnlyList<string> logTail, string reason)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(logTail);
        var exit = snapshot.ExitCode is { } code ? $", exit code {code}" : "";
        var message = snapshot.Message is { } m ? $" ({m})" : "";
        var tail = logTail.Count == 0 ? " It wrote nothing." : $" Last log lines:{Environment.NewLine}{string.Join(Environment.NewLine, logTail)}";
        return $"Resource '{snapshot.Name}' {reason}: state {snapshot.State}, health {snapshot.Health}{exit}{message}.{tail}";
    }
}
