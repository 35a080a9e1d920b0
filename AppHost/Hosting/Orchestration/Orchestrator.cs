using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Reference.AppHost.Hosting.Watchdog;

namespace Reference.AppHost.Hosting.Orchestration;

/// <summary>
/// Runs the model: allocates every port first, then starts each resource once the resources it waits
/// for are running and healthy, probes health, reports exits, and stops every child on shutdown
/// (SIGTERM first, kill after <see cref="AppHostSettings.ShutdownTimeout"/>).
/// </summary>
internal sealed class Orchestrator : IAsyncDisposable, IResourceControl
{
    private const int LogTailLines = 20;

    private readonly IReadOnlyList<ProcessResource> _resources;
    private AppHostSettings _settings;
    private readonly LaunchContext _launchContext;
    private readonly ResourceNotificationService _notifications;
    private readonly ResourceLogStore _logs;
    private readonly Action<string> _output;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    // Loopback only: never through a proxy configured in the environment.
    private readonly HttpClient _healthClient = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Process> _processes = [];
    private readonly List<Task> _runners = [];
    private readonly object _gate = new();
    // Per resource: its current run, the token that cancels it, its live processes, and whether a stop was asked for.
    private readonly Dictionary<string, (Task Run, CancellationTokenSource Cancel)> _runs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Process>> _current = new(StringComparer.Ordinal);
    private readonly HashSet<string> _stopRequested = new(StringComparer.Ordinal);
    private Task? _stopTask;
    private Dictionary<ProcessResource, string>? _portFailures;

    public Orchestrator(
        IReadOnlyList<ProcessResource> resources,
        AppHostSettings settings,
        LaunchContext launchContext,
        ResourceNotificationService notifications,
        ResourceLogStore logs,
        Action<string> output,
        ILogger logger,
        TimeProvider timeProvider)
    {
        _resources = resources;
        _settings = settings;
        _launchContext = launchContext;
        _notifications = notifications;
        _logs = logs;
        _output = output;
        _logger = logger;
        _timeProvider = timeProvider;
    }

    public bool IsStopping => _stopping.IsCancellationRequested;

    /// <summary>Sets where children export telemetry (the dashboard's receiver); called before <see cref="Start"/>.</summary>
    public void UseOtlpEndpoint(string endpoint, string? headers) =>
        _settings = _settings with { OtlpEndpoint = endpoint, OtlpHeaders = headers };

    /// <summary>Allocates every port (before the load balancers start on the public ones); <see cref="Start"/> does it if not done.</summary>
    public void AllocatePorts()
    {
        lock (_gate)
        {
            _portFailures ??= PortAllocator.Allocate(_resources);
        }
    }

    /// <summary>Makes a resource fail at start instead of launching (e.g. its load balancer could not listen).</summary>
    public void FailAtStart(ProcessResource resource, string reason)
    {
        lock (_gate)
        {
            AllocatePorts();
            _portFailures![resource] = reason;
        }
    }

    public void Start()
    {
        AllocatePorts();
        var portFailures = _portFailures!;
        foreach (var resource in _resources)
        {
            _notifications.Publish(resource.Name, s => s! with
            {
                Urls = AllUrls(resource),
                LoadBalancerUrl = resource.FindEndpoint("http") is { IsLoadBalanced: true } http ? http.PublicUrl : null,
                Replicas = [.. Enumerable.Range(0, resource.Replicas).Select(i => new ReplicaSnapshot(
                    i, KnownResourceState.NotStarted, ResourceHealthStatus.Unknown, null, ReplicaUrl(resource, i), null))],
            });
        }

        lock (_gate)
        {
            foreach (var resource in _resources)
            {
                var portFailure = portFailures.GetValueOrDefault(resource);
                StartRunLocked(resource, portFailure);
            }
        }
    }

    /// <summary>
    /// Marks the application as stopping at once (from the signal handler), so children that got the
    /// terminal's SIGINT themselves and exit first are not reported as crashes.
    /// </summary>
    public void MarkStopping() => _stopping.Cancel();

    public Task StopAsync()
    {
        lock (_gate)
        {
            _stopTask ??= StopCoreAsync();
            return _stopTask;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _healthClient.Dispose();
        lock (_gate)
        {
            foreach (var run in _runs.Values)
            {
                run.Cancel.Dispose();
            }
        }

        _stopping.Dispose();
    }

    private async Task StopCoreAsync()
    {
        await _stopping.CancelAsync();
        Process[] processes;
        lock (_gate)
        {
            processes = [.. _processes];
        }

        foreach (var process in processes)
        {
            if (!TryHasExited(process) && !ProcessSignals.Send(process.Id, ProcessSignals.SigTerm))
            {
                TryKill(process);
            }
        }

        using var timeout = new CancellationTokenSource(_settings.ShutdownTimeout, _timeProvider);
        foreach (var process in processes)
        {
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Log.KillingAfterTimeout(_logger, process.Id, _settings.ShutdownTimeout);
                TryKill(process);
            }
        }

        Task[] runners;
        lock (_gate)
        {
            runners = [.. _runners];
        }

        await Task.WhenAll(runners);
        foreach (var process in processes)
        {
            process.Dispose();
        }
    }

    /// <inheritdoc />
    public bool StartResource(string resourceName)
    {
        var resource = _resources.FirstOrDefault(r => r.Name == resourceName);
        lock (_gate)
        {
            if (resource is null || IsStopping || (_runs.TryGetValue(resourceName, out var run) && !run.Run.IsCompleted))
            {
                return false;
            }

            // Leaves the terminal state at once, so nobody waiting on the resource mistakes the old exit for the new run's.
            _notifications.Publish(resourceName, s => s! with
            {
                State = KnownResourceState.Starting, Health = ResourceHealthStatus.Unknown, ExitCode = null, Message = null, ProcessIds = [],
            });
            StartRunLocked(resource, portFailure: null);
            return true;
        }
    }

    /// <inheritdoc />
    public async Task<bool> StopResourceAsync(string resourceName)
    {
        (Task Run, CancellationTokenSource Cancel) run;
        Process[] processes;
        lock (_gate)
        {
            if (!_runs.TryGetValue(resourceName, out run) || run.Run.IsCompleted || IsStopping)
            {
                return false;
            }

            _stopRequested.Add(resourceName);
            processes = _current.TryGetValue(resourceName, out var current) ? [.. current] : [];
        }

        foreach (var process in processes)
        {
            if (!TryHasExited(process) && !ProcessSignals.Send(process.Id, ProcessSignals.SigTerm))
            {
                TryKill(process);
            }
        }

        using var timeout = new CancellationTokenSource(_settings.ShutdownTimeout, _timeProvider);
        foreach (var process in processes)
        {
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Log.KillingAfterTimeout(_logger, process.Id, _settings.ShutdownTimeout);
                TryKill(process);
            }
        }

        // A resource still waiting for its dependencies (or launching) has no process yet: cancel its run.
        await run.Cancel.CancelAsync();
        try
        {
            await run.Run;
        }
        catch (OperationCanceledException)
        {
            // The run ended by the cancellation.
        }

        _notifications.Publish(resourceName, s => s!.State == KnownResourceState.Exited
            ? s
            : s with { State = KnownResourceState.Exited, Health = ResourceHealthStatus.Unknown, Message = "Stopped from the dashboard" });
        return true;
    }

    /// <inheritdoc />
    public async Task<bool> RestartResourceAsync(string resourceName)
    {
        await StopResourceAsync(resourceName);
        return StartResource(resourceName);
    }

    private void StartRunLocked(ProcessResource resource, string? portFailure)
    {
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var run = Task.Run(() => RunResourceSafelyAsync(resource, portFailure, cancel.Token));
        _runs[resource.Name] = (run, cancel);
        _runners.Add(run);
    }

    private async Task RunResourceSafelyAsync(ProcessResource resource, string? portFailure, CancellationToken token)
    {
        try
        {
            await RunResourceAsync(resource, portFailure, token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A bug here must not leave the resource silently stuck, nor fault the shutdown.
            Fail(resource, $"The AppHost failed while running it: {ex.Message}");
        }
    }

    private async Task RunResourceAsync(ProcessResource resource, string? portFailure, CancellationToken token)
    {
        if (portFailure is not null)
        {
            Fail(resource, portFailure);
            return;
        }

        if (resource.WaitsFor.Count > 0)
        {
            var names = string.Join(", ", resource.WaitsFor.Select(r => r.Name));
            _notifications.Publish(resource.Name, s => s! with { State = KnownResourceState.Waiting, Message = $"Waiting for {names}" });
            try
            {
                foreach (var dependency in resource.WaitsFor)
                {
                    await _notifications.WaitForResourceAsync(dependency.Name, s => s.IsReady, token);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        _notifications.Publish(resource.Name, s => s! with { State = KnownResourceState.Starting, Message = null });
        var replicas = new ReplicaTracker(resource, _notifications);
        var started = new List<Process>();
        try
        {
            for (var replica = 0; replica < resource.Replicas; replica++)
            {
                var command = await resource.ResolveCommandAsync(_launchContext, token);
                started.Add(Launch(resource, replica, command));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Includes a model's own WithEnvironment callback failing: the resource fails, the AppHost carries on.
            foreach (var process in started)
            {
                TryKill(process);
            }

            Fail(resource, ex.Message);
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }

        lock (_gate)
        {
            _current[resource.Name] = started;
            _stopRequested.Remove(resource.Name);
        }

        var probe = resource.CreateHealthProbe(_healthClient);
        replicas.Launched([.. started.Select(p => p.Id)], probe is null);
        _notifications.Publish(resource.Name, s => s! with
        {
            State = KnownResourceState.Running,
            Health = probe is null ? ResourceHealthStatus.Healthy : ResourceHealthStatus.Unknown,
            ProcessIds = [.. started.Select(p => p.Id)],
        });

        using var healthStop = CancellationTokenSource.CreateLinkedTokenSource(token);
        var health = probe is null ? Task.CompletedTask : MonitorHealthAsync(resource, probe, replicas, healthStop.Token);
        var exits = started.Select(p => p.WaitForExitAsync()).ToList();
        var pending = new List<Task>(exits);
        Process exited;
        while (true)
        {
            var first = await Task.WhenAny(pending);
            pending.Remove(first);
            var index = exits.IndexOf(first);
            exited = started[index];
            replicas.Exited(index, exited.ExitCode);
            bool stopping;
            lock (_gate)
            {
                stopping = _stopRequested.Contains(resource.Name) || IsStopping;
            }

            if (stopping || pending.Count == 0)
            {
                break;
            }

            // One replica of several crashed: the others keep serving (the load balancer stops sending it
            // traffic); the resource is Running but Unhealthy until it is restarted.
            var code = exited.ExitCode;
            ReportUnexpectedExit(resource, $"{resource.Name} replica {index}", code);
            _notifications.Publish(resource.Name, s => s! with
            {
                Health = ResourceHealthStatus.Unhealthy,
                Message = string.Create(CultureInfo.InvariantCulture, $"Replica {index} (process {exited.Id}) exited unexpectedly with code {code}"),
            });
        }

        await healthStop.CancelAsync();
        await health;

        var exitCode = exited.ExitCode;
        bool stoppedByRequest;
        lock (_gate)
        {
            stoppedByRequest = _stopRequested.Remove(resource.Name);
            _current.Remove(resource.Name);
        }

        if (stoppedByRequest)
        {
            await Task.WhenAll(exits);
            replicas.AllExited(started);
            _notifications.Publish(resource.Name, s => s! with
            {
                State = KnownResourceState.Exited, Health = ResourceHealthStatus.Unknown, ExitCode = exitCode, Message = "Stopped from the dashboard",
            });
            return;
        }

        if (IsStopping)
        {
            await Task.WhenAll(exits);
            replicas.AllExited(started);
            _notifications.Publish(resource.Name, s => s! with
            {
                State = KnownResourceState.Exited, Health = ResourceHealthStatus.Unknown, ExitCode = exitCode, Message = null,
            });
            return;
        }

        ReportUnexpectedExit(resource, resource.Name, exitCode);
        _notifications.Publish(resource.Name, s => s! with
        {
            State = KnownResourceState.Exited,
            Health = ResourceHealthStatus.Unhealthy,
            ExitCode = exitCode,
            Message = string.Create(CultureInfo.InvariantCulture, $"Process {exited.Id} exited unexpectedly with code {exitCode}"),
        });
    }

    private void ReportUnexpectedExit(ProcessResource resource, string what, int exitCode)
    {
        var tail = _logs.GetTail(resource.Name, LogTailLines);
        Log.ResourceExited(_logger, what, exitCode);
        _output($"[apphost] {what} exited unexpectedly with code {exitCode}. Its last {tail.Count} log lines:");
        foreach (var line in tail)
        {
            _output($"[{resource.Name}] | {line}");
        }
    }

    private void Fail(ProcessResource resource, string reason)
    {
        _logs.Append(resource.Name, reason);
        Log.ResourceFailedToStart(_logger, resource.Name, reason);
        _notifications.Publish(resource.Name, s => s! with
        {
            State = KnownResourceState.FailedToStart, Health = ResourceHealthStatus.Unhealthy, Message = reason,
        });
    }

    private Process Launch(ProcessResource resource, int replica, ProcessCommand command)
    {
        var (fileName, arguments) = command.NeedsWatchdog && !OperatingSystem.IsWindows()
            ? (_launchContext.DotnetHostPath, ProcessWatchdog.WrapArguments(Environment.ProcessId, command.FileName, command.Arguments))
            : (command.FileName, command.Arguments);
        var startInfo = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = command.WorkingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var (name, value) in EnvironmentBuilder.Build(resource, replica, _settings, command.Environment))
        {
            startInfo.Environment[name] = value;
        }

        foreach (var removed in EnvironmentBuilder.RemovedVariables(_settings))
        {
            startInfo.Environment.Remove(removed);
        }

        var prefix = resource.Replicas > 1 ? $"[{resource.Name}-{replica}] " : $"[{resource.Name}] ";
        var process = new Process { StartInfo = startInfo };
        var replicaLog = resource.Replicas > 1 ? ResourceLogStore.ReplicaKey(resource.Name, replica) : null;
        process.OutputDataReceived += (_, e) => OnOutput(resource.Name, replicaLog, prefix, e.Data);
        process.ErrorDataReceived += (_, e) => OnOutput(resource.Name, replicaLog, prefix, e.Data);
        lock (_gate)
        {
            if (IsStopping)
            {
                process.Dispose();
                throw new OperationCanceledException("The application is stopping.");
            }

            try
            {
                process.Start();
            }
            catch (Win32Exception ex)
            {
                process.Dispose();
                throw new ResourceLaunchException($"Could not start '{fileName}': {ex.Message}");
            }

            _processes.Add(process);
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void OnOutput(string resourceName, string? replicaLog, string prefix, string? line)
    {
        if (line is null)
        {
            return;
        }

        _logs.Append(resourceName, line);
        if (replicaLog is not null)
        {
            _logs.Append(replicaLog, line);
        }

        try
        {
            _output(prefix + line);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or ObjectDisposedException)
        {
            // A sink that is gone (e.g. a test output helper after its test ended) must not crash the host;
            // the line is still in the log buffer.
        }
    }

    private async Task MonitorHealthAsync(ProcessResource resource, IHealthProbe probe, ReplicaTracker replicas, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // Every replica is probed on its own port: the load balancer sends traffic only to healthy ones.
                var healthy = true;
                for (var replica = 0; replica < resource.Replicas; replica++)
                {
                    if (!replicas.IsRunning(replica))
                    {
                        healthy = false;
                        continue;
                    }

                    var replicaHealthy = await probe.CheckAsync(replica, cancellationToken);
                    replicas.SetHealth(replica, replicaHealthy);
                    healthy &= replicaHealthy;
                }

                if (healthy && probe is HttpHealthProbe { Endpoint.IsLoadBalanced: true } http)
                {
                    healthy = await http.CheckPublicAsync(cancellationToken);
                }

                _notifications.Publish(resource.Name, s => s!.State == KnownResourceState.Running
                    ? s with { Health = healthy ? ResourceHealthStatus.Healthy : ResourceHealthStatus.Unhealthy }
                    : s);
                await Task.Delay(healthy ? _settings.HealthyCheckInterval : _settings.UnhealthyCheckInterval, _timeProvider, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped or exited: the exit path publishes the final state.
        }
    }

    private static string? ReplicaUrl(ProcessResource resource, int replica) =>
        resource.FindEndpoint("http") is { IsAllocated: true } http ? http.GetUrl(replica) : null;

    private static IReadOnlyList<string> AllUrls(ProcessResource resource) =>
        [.. resource.Endpoints.Where(e => e.IsAllocated).SelectMany(e => e.GetUrls())];

    private static bool TryHasExited(Process process)
    {
        try
        {
            return process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private static void TryKill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Already gone.
        }
    }
}
