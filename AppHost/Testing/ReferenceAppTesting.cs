namespace Reference.AppHost.Testing;

/// <summary>
/// The testing builder: starts the AppHost's model (exactly what Program.cs declares) on random ports,
/// without console output, and waits until every resource is Running and Healthy.
/// <code>
/// await using var app = await ReferenceAppTesting.StartAsync(ct);
/// using var gateway = app.CreateHttpClient("gateway");
/// </code>
/// </summary>
public static class ReferenceAppTesting
{
    /// <summary>Starts the Reference application as declared in AppHost/Program.cs.</summary>
    /// <param name="cancellationToken">Cancels the start (the processes are then stopped).</param>
    /// <exception cref="ResourceStartupException">A resource exited, failed to start or was not healthy within the timeout.</exception>
    public static Task<ReferenceTestApp> StartAsync(CancellationToken cancellationToken = default) =>
        StartAsync(configure: null, cancellationToken);

    /// <summary>Starts the Reference application as declared in AppHost/Program.cs, with options.</summary>
    /// <param name="configure">Adjusts the options (configuration overrides, timeout, output).</param>
    /// <param name="cancellationToken">Cancels the start (the processes are then stopped).</param>
    /// <exception cref="ResourceStartupException">A resource exited, failed to start or was not healthy within the timeout.</exception>
    public static async Task<ReferenceTestApp> StartAsync(Action<ReferenceAppTestingOptions>? configure, CancellationToken cancellationToken = default)
    {
        var options = new ReferenceAppTestingOptions();
        configure?.Invoke(options);
        var application = await EntryPointInterception.RunEntryPointAsync(options.ToApplicationOptions());
        return await StartAsync(application, options.StartupTimeout, cancellationToken);
    }

    /// <summary>Creates an empty builder in test mode, to start a model of your own (e.g. executables) with <see cref="StartAsync(DistributedApplication, TimeSpan, CancellationToken)"/>.</summary>
    /// <param name="configure">Adjusts the options (configuration overrides, output).</param>
    public static DistributedApplicationBuilder CreateBuilder(Action<ReferenceAppTestingOptions>? configure = null)
    {
        var options = new ReferenceAppTestingOptions();
        configure?.Invoke(options);
        return DistributedApplication.CreateBuilder(options.ToApplicationOptions());
    }

    /// <summary>
    /// Starts a built application and waits until every resource is Running and Healthy; fails fast
    /// when one exits or fails to start. On failure every process is stopped before the exception is thrown.
    /// </summary>
    /// <param name="application">The application (from a builder created by <see cref="CreateBuilder"/>).</param>
    /// <param name="timeout">How long every resource has to become healthy.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="ResourceStartupException">A resource exited, failed to start or was not healthy within the timeout.</exception>
    public static async Task<ReferenceTestApp> StartAsync(DistributedApplication application, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(application);
        var app = new ReferenceTestApp(application);
        try
        {
            await application.StartAsync(cancellationToken);
            await WaitUntilReadyAsync(application, timeout, cancellationToken);
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    private static async Task WaitUntilReadyAsync(DistributedApplication application, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var notifications = application.ResourceNotifications;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        if (notifications.GetSnapshots().All(s => s.IsReady))
        {
            return;
        }

        try
        {
            await foreach (var _ in notifications.WatchAsync(deadline.Token))
            {
                var snapshots = notifications.GetSnapshots();
                if (snapshots.FirstOrDefault(s => s.IsTerminal) is { } failed)
                {
                    var reason = failed.State == KnownResourceState.FailedToStart ? "failed to start" : "exited during startup";
                    throw new ResourceStartupException(failed, application.GetLogTail(failed.Name, 30), reason);
                }

                if (snapshots.All(s => s.IsReady))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var notReady = notifications.GetSnapshots().Where(s => !s.IsReady).ToList();
            if (notReady.Count == 0)
            {
                return;
            }

            var first = notReady.FirstOrDefault(s => s.State == KnownResourceState.Running) ?? notReady[0];
            var others = notReady.Count > 1 ? $" (also not ready: {string.Join(", ", notReady.Where(s => s != first).Select(s => $"{s.Name} {s.State}"))})" : "";
            throw new ResourceStartupException(
                first, application.GetLogTail(first.Name, 30), $"was not running and healthy within {timeout.TotalSeconds:0.#} s{others}");
        }
    }
}
