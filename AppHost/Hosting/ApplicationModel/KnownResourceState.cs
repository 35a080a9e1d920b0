namespace Reference.AppHost.Hosting;

/// <summary>The lifecycle state of a resource, as in Aspire.</summary>
public enum KnownResourceState
{
    /// <summary>Declared, not started yet.</summary>
    NotStarted,

    /// <summary>Held back until the resources it waits for are running and healthy.</summary>
    Waiting,

    /// <summary>Its processes are being launched.</summary>
    Starting,

    /// <summary>Its processes are running (see the health for readiness).</summary>
    Running,

    /// <summary>A process exited (expected when the application stops).</summary>
    Exited,

    /// <summary>A process could not be launched (missing executable, port already in use...).</summary>
    FailedToStart,
}

/// <summary>The health of a running resource, from its health check.</summary>
public enum ResourceHealthStatus
{
    /// <summary>Not checked yet, or the resource is not running.</summary>
    Unknown,

    /// <summary>The health check passed (or the resource has none and is running).</summary>
    Healthy,

    /// <summary>The health check failed.</summary>
    Unhealthy,
}
