using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Reference.AppHost.Dashboard;
using Reference.AppHost.Hosting.Orchestration;
using Reference.AppHost.LoadBalancing;
using Reference.AppHost.Testing;

namespace Reference.AppHost.Hosting;

/// <summary>
/// The distributed application: the declared resources and the orchestrator that runs them as child
/// processes. <c>RunAsync</c> runs until Ctrl+C or SIGTERM, then stops every child.
/// </summary>
public sealed class DistributedApplication : IAsyncDisposable
{
    private readonly DistributedApplicationOptions _options;
    private readonly List<string> _startupNotes;
    private readonly ResourceLogStore _logs;
    private readonly ILoggerFactory _loggerFactory;
    private readonly Action<string> _output;
    private readonly Orchestrator _orchestrator;
    private readonly CancellationTokenSource _reporterStop = new();
    private Task _reporter = Task.CompletedTask;
    private int _started;
    private int _disposed;
    private readonly DashboardSettings _dashboardSettings;
    private readonly List<ReplicaLoadBalancer> _loadBalancers = [];

    internal DistributedApplication(DistributedApplicationBuilder builder, IReadOnlyList<string> startupNotes)
    {
        _options = builder.Options;
        _startupNotes = [.. startupNotes];
        Configuration = builder.Configuration;
        Resources = [.. builder.Resources];
        var settings = AppHostSettings.FromConfiguration(Configuration);
        _logs = new ResourceLogStore(settings.LogBufferLines);
        _output = _options.OutputSink ?? (_options.IsTesting ? static _ => { } : Console.WriteLine);
        _loggerFactory = _options.IsTesting
            ? NullLoggerFactory.Instance
            : LoggerFactory.Create(logging => logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss ";
            }));
        ResourceNotifications = new ResourceNotificationService(TimeProvider.System);
        foreach (var resource in Resources.Where(r => r is not ParameterResource))
        {
            ResourceNotifications.Initialize(resource);
        }

        _orchestrator = new Orchestrator(
            [.. Resources.OfType<ProcessResource>()],
            settings,
            new LaunchContext(Configuration, ExecutableLocator.DotnetHostPath),
            ResourceNotifications,
            _logs,
            _output,
            _loggerFactory.CreateLogger("Reference.AppHost"),
            TimeProvider.System);
        foreach (var resource in Resources.OfType<ProcessResource>().Where(r => r.Replicas > 1 && r.FindEndpoint("http") is not null))
        {
            var loadBalancer = new ReplicaLoadBalancer(resource, _loggerFactory.CreateLogger("Reference.AppHost.LoadBalancing"));
            ResourceNotifications.Observe(loadBalancer.OnSnapshot);
            _loadBalancers.Add(loadBalancer);
        }

        var dashboard = DashboardSettings.FromConfiguration(Configuration, _options.IsTesting);
        _dashboardSettings = dashboard;
        if (dashboard.Enabled)
        {
            Dashboard = new DashboardHost(dashboard, ResourceNotifications, _logs, _orchestrator, _loggerFactory, TimeProvider.System);
        }
    }

    /// <summary>Stop, start and restart of single resources (the dashboard's actions).</summary>
    internal IResourceControl ResourceControl => _orchestrator;

    /// <summary>The load balancers in front of resources with several replicas (one per such resource).</summary>
    internal IReadOnlyList<ReplicaLoadBalancer> LoadBalancers => _loadBalancers;

    /// <summary>The dashboard (browser UI and OTLP receiver) hosted in this process, when enabled (<c>AppHost:Dashboard:Enabled</c>).</summary>
    internal DashboardHost? Dashboard { get; private set; }

    /// <summary>Creates a builder for the AppHost's model.</summary>
    /// <param name="args">The AppHost's command-line arguments (configuration, e.g. <c>--AppHost:Redis:Server=garnet</c>).</param>
    public static DistributedApplicationBuilder CreateBuilder(string[] args)
    {
        // Under the testing builder, the AppHost's entry point runs in-process to declare the same model.
        var interception = EntryPointInterception.Current;
        if (interception is null && args is ["publish", .. var publishArguments])
        {
            // Publish mode: the same model, written as manifests (Publishing/PublishCommand); the arguments are the publisher's.
            return new DistributedApplicationBuilder(new DistributedApplicationOptions { PublishArguments = publishArguments });
        }

        return new DistributedApplicationBuilder(interception?.Options ?? new DistributedApplicationOptions { Args = args ?? [] });
    }

    internal static DistributedApplicationBuilder CreateBuilder(DistributedApplicationOptions options) => new(options);

    /// <summary>The configuration the application was built with.</summary>
    public IConfiguration Configuration { get; }

    /// <summary>Every declared resource, in declaration order.</summary>
    public IReadOnlyList<Resource> Resources { get; }

    /// <summary>The observable state of every resource.</summary>
    public ResourceNotificationService ResourceNotifications { get; }

    /// <summary>Finds a resource by name.</summary>
    /// <exception cref="KeyNotFoundException">There is no such resource.</exception>
    public Resource GetResource(string name) =>
        Resources.FirstOrDefault(r => r.Name == name) ?? throw new KeyNotFoundException($"There is no resource named '{name}'.");

    /// <summary>The last lines a resource wrote to stdout/stderr (kept in a bounded buffer per resource).</summary>
    /// <param name="resourceName">The resource.</param>
    /// <param name="maxLines">How many lines at most.</param>
    public IReadOnlyList<string> GetLogTail(string resourceName, int maxLines = 50) => _logs.GetTail(resourceName, maxLines);

    /// <summary>Allocates every port and starts the resources (each once what it waits for is ready); returns without waiting for health.</summary>
    /// <param name="cancellationToken">Not used after the start is issued.</param>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            throw new InvalidOperationException("The application has already been started.");
        }

        await StartDashboardAsync(cancellationToken);

        if (!_options.IsTesting)
        {
            _reporter = new ConsoleReporter(ResourceNotifications, _startupNotes, _output, () => _orchestrator.IsStopping).RunAsync(_reporterStop.Token);
        }

        await StartLoadBalancersAsync(cancellationToken);
        _orchestrator.Start();
    }

    private async Task StartLoadBalancersAsync(CancellationToken cancellationToken)
    {
        _orchestrator.AllocatePorts();
        foreach (var loadBalancer in _loadBalancers)
        {
            var resource = (ProcessResource)GetResource(loadBalancer.ResourceName);
            try
            {
                await loadBalancer.StartAsync(cancellationToken);
            }
            catch (IOException ex)
            {
                // The public port was taken between allocation and now: the resource cannot be reached, so it fails.
                _orchestrator.FailAtStart(resource, $"Its load balancer could not listen on {resource.GetEndpoint("http").Url}: {ex.Message}");
            }
        }
    }

    private async Task StartDashboardAsync(CancellationToken cancellationToken)
    {
        if (Dashboard is not { } dashboard)
        {
            return;
        }

        var logger = _loggerFactory.CreateLogger("Reference.AppHost.Dashboard");
        try
        {
            await dashboard.StartAsync(cancellationToken);
        }
        catch (IOException ex)
        {
            // Typically the port is taken (another AppHost runs): supervision goes on without a dashboard.
            DashboardLog.StartFailed(logger, _dashboardSettings.Url, _dashboardSettings.OtlpUrl, ex.Message);
            _output($"[apphost] The dashboard could not start ({ex.Message}); set AppHost:Dashboard:Url and AppHost:Dashboard:OtlpUrl to free ports.");
            Dashboard = null;
            await dashboard.DisposeAsync();
            return;
        }

        _orchestrator.UseOtlpEndpoint(dashboard.OtlpEndpoint!.GetLeftPart(UriPartial.Authority), dashboard.OtlpHeaders);
        DashboardLog.Started(logger, dashboard.Url!, dashboard.OtlpEndpoint, dashboard.Auth.BrowserTokenFingerprint);

        // The login link is printed on purpose (as Aspire does): it is how the developer opens the dashboard.
        var link = $"[apphost] Dashboard: {dashboard.LoginUrl}";
        _output(link);
        _startupNotes.Add(link);
    }

    /// <summary>Stops every child process: SIGTERM, then kill after the shutdown timeout (<c>AppHost:ShutdownTimeout</c>, default 10 s).</summary>
    /// <param name="cancellationToken">Not used: stopping always completes.</param>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _disposed) == 1)
        {
            return;
        }

        await _orchestrator.StopAsync();
        await _reporterStop.CancelAsync();
        await _reporter;
    }

    /// <summary>Starts the application and runs it until Ctrl+C, SIGTERM or <paramref name="cancellationToken"/>, then stops it.</summary>
    /// <param name="cancellationToken">Stops the application.</param>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        if (_options.Interception is not null)
        {
            // The testing builder captured this application in Build() and owns its lifetime.
            return;
        }

        if (_options.PublishArguments is { } publishArguments)
        {
            Environment.ExitCode = await Publishing.PublishCommand.RunAsync(this, publishArguments, Console.Out, Console.Error, cancellationToken);
            return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            _orchestrator.MarkStopping();
            stop.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        await StartAsync(cancellationToken);
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            _output("[apphost] Stopping: SIGTERM to every resource, kill after the shutdown timeout.");
        }

        await DisposeAsync();
    }

    /// <summary>Stops the application (see <see cref="StopAsync"/>).</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _orchestrator.DisposeAsync();
        foreach (var loadBalancer in _loadBalancers)
        {
            await loadBalancer.DisposeAsync();
        }

        if (Dashboard is not null)
        {
            await Dashboard.DisposeAsync();
        }

        _reporterStop.Dispose();
        if (!_options.IsTesting)
        {
            _loggerFactory.Dispose();
        }
    }
}
