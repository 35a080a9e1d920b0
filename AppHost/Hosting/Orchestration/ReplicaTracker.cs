namespace Reference.AppHost.Hosting.Orchestration;

/// <summary>
/// The state of every replica of one run of a resource, published in <see cref="ResourceSnapshot.Replicas"/>:
/// what the dashboard shows per replica and what the load balancer routes by.
/// </summary>
internal sealed class ReplicaTracker
{
    private readonly ProcessResource _resource;
    private readonly ResourceNotificationService _notifications;
    private readonly object _gate = new();
    private readonly ReplicaSnapshot[] _replicas;

    public ReplicaTracker(ProcessResource resource, ResourceNotificationService notifications)
    {
        _resource = resource;
        _notifications = notifications;
        var http = resource.FindEndpoint("http");
        _replicas = [.. Enumerable.Range(0, resource.Replicas).Select(i => new ReplicaSnapshot(
            i, KnownResourceState.Starting, ResourceHealthStatus.Unknown, null, http is { IsAllocated: true } ? http.GetUrl(i) : null, null))];
        Publish();
    }

    public void Launched(IReadOnlyList<int> processIds, bool healthyWhenRunning) =>
        Update(() =>
        {
            for (var i = 0; i < _replicas.Length; i++)
            {
                _replicas[i] = _replicas[i] with
                {
                    State = KnownResourceState.Running,
                    Health = healthyWhenRunning ? ResourceHealthStatus.Healthy : ResourceHealthStatus.Unknown,
                    ProcessId = processIds[i],
                };
            }
        });

    public bool IsRunning(int replica)
    {
        lock (_gate)
        {
            return _replicas[replica].State == KnownResourceState.Running;
        }
    }

    public void SetHealth(int replica, bool healthy) =>
        Update(() =>
        {
            if (_replicas[replica].State == KnownResourceState.Running)
            {
                _replicas[replica] = _replicas[replica] with { Health = healthy ? ResourceHealthStatus.Healthy : ResourceHealthStatus.Unhealthy };
            }
        });

    public void Exited(int replica, int exitCode) =>
        Update(() => _replicas[replica] = _replicas[replica] with
        {
            State = KnownResourceState.Exited, Health = ResourceHealthStatus.Unknown, ExitCode = exitCode,
        });

    public void AllExited(IReadOnlyList<System.Diagnostics.Process> processes) =>
        Update(() =>
        {
            for (var i = 0; i < _replicas.Length; i++)
            {
                _replicas[i] = _replicas[i] with
                {
                    State = KnownResourceState.Exited, Health = ResourceHealthStatus.Unknown, ExitCode = SafeExitCode(processes[i]),
                };
            }
        });

    private void Update(Action change)
    {
        lock (_gate)
        {
            change();
            Publish();
        }
    }

    private void Publish()
    {
        ReplicaSnapshot[] replicas = [.. _replicas];
        _notifications.Publish(_resource.Name, s => s! with { Replicas = replicas });
    }

    private static int? SafeExitCode(System.Diagnostics.Process process)
    {
        try
        {
            return process.HasExited ? process.ExitCode : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
