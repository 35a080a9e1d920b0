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
    /// <summary>
    /// Every replica of the resource (one entry per process, in replica order) with its own state, health, process
    /// id and URL; empty before the resource first starts.
    /// </summary>
    public IReadOnlyList<ReplicaSnapshot> Replicas { get; init; } = [];

    /// <summary>The public URL of the http endpoint when the AppHost's load balancer fronts several replicas; null otherwise.</summary>
    public string? LoadBalancerUrl { get; init; }

    /// <summary>Running and healthy: what <c>WaitFor</c> waits for.</summary>
    public bool IsReady => State == KnownResourceState.Running && Health == ResourceHealthStatus.Healthy;

    /// <summary>Exited or failed to start.</summary>
    public bool IsTerminal => State is KnownResourceState.Exited or KnownResourceState.FailedToStart;
}

/// <summary>One replica (process) of a resource.</summary>
/// <param name="Index">The replica number, from 0 (also in its <c>service.instance.id</c>).</param>
/// <param name="State">The replica's lifecycle state.</param>
/// <param name="Health">The replica's own health check result.</param>
/// <param name="ProcessId">Its process id while it runs or after it exited; null before it is launched.</param>
/// <param name="Url">The replica's own http URL (its process's port), or null for resources without one.</param>
/// <param name="ExitCode">The exit code once it exited.</param>
public sealed record ReplicaSnapshot(int Index, KnownResourceState State, ResourceHealthStatus Health, int? ProcessId, string? Url, int? ExitCode)
{
    /// <summary>Running and healthy: the load balancer sends it traffic.</summary>
    public bool IsReady => State == KnownResourceState.Running && Health == ResourceHealthStatus.Healthy;
}
