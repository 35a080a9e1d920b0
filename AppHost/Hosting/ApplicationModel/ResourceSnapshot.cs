namespace Reference.AppHost.Hosting;

/// <summary>An immutable view of a resource at one moment: what the resource table and a dashboard show.</summary>
/// <param name="Name">The resource name.</param>
/// <param name="ResourceType">Project, Executable, Redis.</param>
/// <param name="State">The lifecycle state.</param>
/// <param name="Health">The health from the resource's health check.</param>
/// <param name="Urls">The endpoint URLs of every replica.</param>
/// <param name="ProcessIds">The ids of the processes the AppHost launched for the resource (one per replica).</param>
/// <param name="ExitCode">The exit code of the process that exited, when <paramref name="State"/> is <see cref="KnownResourceState.Exited"/>.</param>
/// <param name="Message">Why the resource is in its state (e.g. the launch error, or what it waits for).</param>
/// <param name="Timestamp">When the snapshot was taken.</param>
public sealed record ResourceSnapshot(
    string Name,
    string ResourceType,
    KnownResourceState State,
    ResourceHealthStatus Health,
    IReadOnlyList<string> Urls,
    IReadOnlyList<int> ProcessIds,
    int? ExitCode,
    string? Message,
    DateTimeOffset Timestamp)
{
    /// <summary>Running and healthy: what <c>WaitFor</c> waits for.</summary>
    public bool IsReady => State == KnownResourceState.Running && Health == ResourceHealthStatus.Healthy;

    /// <summary>Exited or failed to start.</summary>
    public bool IsTerminal => State is KnownResourceState.Exited or KnownResourceState.FailedToStart;
}
