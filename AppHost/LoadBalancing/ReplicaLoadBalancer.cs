using System.Globalization;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;

namespace Reference.AppHost.LoadBalancing;

/// <summary>
/// The local load balancer in front of a resource with several replicas: YARP inside the AppHost process,
/// listening on the resource's public port. Round robin over the replicas that are running and pass their
/// health check (the orchestrator probes each replica's own port and reports every exit at once; those
/// results are pushed into YARP as the destinations' active health), plus YARP's passive health check
/// (a replica that fails at the transport level rests for <see cref="PassiveReactivationPeriod"/>).
/// The original Host header is kept and X-Forwarded-For/Proto/Host/Prefix are set (replacing anything the
/// client sent); the replicas trust them from the loopback address only.
/// </summary>
internal sealed class ReplicaLoadBalancer : IAsyncDisposable
{
    public static readonly TimeSpan PassiveReactivationPeriod = TimeSpan.FromSeconds(10);

    private readonly ProcessResource _resource;
    private readonly EndpointDefinition _endpoint;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private WebApplication? _app;
    private IDestinationHealthUpdater? _healthUpdater;
    private IProxyStateLookup? _state;
    private ResourceSnapshot? _pending;
    private int[] _routed = [];

    public ReplicaLoadBalancer(ProcessResource resource, ILogger logger)
    {
        _resource = resource;
        _endpoint = resource.GetEndpointDefinition("http");
        _logger = logger;
    }

    public string ResourceName => _resource.Name;

    /// <summary>The replicas traffic goes to now, in replica order.</summary>
    public IReadOnlyList<int> RoutedReplicas
    {
        get
        {
            lock (_gate)
            {
                return _routed;
            }
        }
    }

    public string ClusterId => _resource.Name;

    public static string DestinationId(int replica) => "replica-" + replica.ToString(CultureInfo.InvariantCulture);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // The replicas enforce their own limits.
            kestrel.Limits.MaxRequestBodySize = null;
        });
        builder.WebHost.UseUrls(_endpoint.PublicUrl);
        builder.Logging.ClearProviders();
        builder.Services.AddRouting();
        builder.Services.AddSingleton<IAvailableDestinationsPolicy, ReplicaHealthDestinationsPolicy>();
        builder.Services.AddReverseProxy().LoadFromMemory([CreateRoute()], [CreateCluster()]);
        var app = builder.Build();
        app.UseRouting();
        app.MapReverseProxy(pipeline =>
        {
            pipeline.Use(RetryRefusedConnectionAsync);
            pipeline.UseSessionAffinity();
            pipeline.UseLoadBalancing();
            pipeline.UsePassiveHealthChecks();
        });
        await app.StartAsync(cancellationToken);
        _app = app;
        lock (_gate)
        {
            _healthUpdater = app.Services.GetRequiredService<IDestinationHealthUpdater>();
            _state = app.Services.GetRequiredService<IProxyStateLookup>();
            // Nothing is routed until the orchestrator reports a replica running and healthy.
            ApplyLocked(_pending);
        }

        LoadBalancerLog.Started(_logger, _resource.Name, _endpoint.PublicUrl, _resource.Replicas);
    }

    /// <summary>Called synchronously for every change of the resource (see <see cref="ResourceNotificationService"/>), so
    /// a replica that exits or fails its check gets no request once the change is published.</summary>
    public void OnSnapshot(ResourceSnapshot snapshot)
    {
        if (snapshot.Name != _resource.Name)
        {
            return;
        }

        lock (_gate)
        {
            _pending = snapshot;
            if (_healthUpdater is not null)
            {
                ApplyLocked(snapshot);
            }
        }
    }

    private void ApplyLocked(ResourceSnapshot? snapshot)
    {
        if (_state is null || _healthUpdater is null || !_state.TryGetCluster(ClusterId, out var cluster))
        {
            return;
        }

        var ready = (snapshot?.Replicas ?? []).Where(r => r.IsReady).Select(r => r.Index).ToArray();
        var changes = new List<NewActiveDestinationHealth>();
        foreach (var (id, destination) in cluster.Destinations)
        {
            var index = int.Parse(id.AsSpan("replica-".Length), NumberStyles.None, CultureInfo.InvariantCulture);
            changes.Add(new NewActiveDestinationHealth(destination, ready.Contains(index) ? DestinationHealth.Healthy : DestinationHealth.Unhealthy));
        }

        _healthUpdater.SetActive(cluster, changes);
        if (!ready.SequenceEqual(_routed))
        {
            _routed = ready;
            LoadBalancerLog.RoutedReplicasChanged(_logger, _resource.Name, ready.Length == 0 ? "none" : string.Join(", ", ready));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is null)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _app.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Requests still in flight are dropped: the replicas are gone anyway.
        }

        await _app.DisposeAsync();
    }

    /// <summary>
    /// A request whose connection to a replica was refused never reached it (the replica has just died and the
    /// orchestrator has not reported it yet): it goes to another available replica, each replica tried at most once.
    /// Nothing else is retried: a replica that failed mid-request may have acted on it, so that client gets the 502.
    /// </summary>
    internal static async Task RetryRefusedConnectionAsync(HttpContext context, Func<Task> next)
    {
        var proxy = context.GetReverseProxyFeature();
        var candidates = proxy.AvailableDestinations;
        while (true)
        {
            await next();
            var error = context.Features.Get<IForwarderErrorFeature>();
            var refused = proxy.ProxiedDestination;
            if (error is null || refused is null || context.Response.HasStarted || !IsConnectionRefused(error.Exception))
            {
                return;
            }

            candidates = [.. candidates.Where(d => !ReferenceEquals(d, refused))];
            if (candidates.Count == 0)
            {
                return;
            }

            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.StatusCode = StatusCodes.Status200OK;
            proxy.AvailableDestinations = candidates;
            proxy.ProxiedDestination = null;
        }
    }

    private static bool IsConnectionRefused(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                return true;
            }
        }

        return false;
    }

    private RouteConfig CreateRoute() => new RouteConfig
    {
        RouteId = _resource.Name,
        ClusterId = ClusterId,
        Match = new RouteMatch { Path = "/{**catch-all}" },
    }
    // The replicas build absolute URLs (redirect URIs, the BFF callback) from the Host the client used.
    .WithTransformUseOriginalHostHeader(useOriginal: true)
    .WithTransformXForwarded("X-Forwarded-", ForwardedTransformActions.Set);

    private ClusterConfig CreateCluster() => new()
    {
        ClusterId = ClusterId,
        LoadBalancingPolicy = LoadBalancingPolicies.RoundRobin,
        HealthCheck = new HealthCheckConfig
        {
            AvailableDestinationsPolicy = ReplicaHealthDestinationsPolicy.PolicyName,
            Passive = new PassiveHealthCheckConfig
            {
                Enabled = true,
                Policy = HealthCheckConstants.PassivePolicy.TransportFailureRate,
                ReactivationPeriod = PassiveReactivationPeriod,
            },
        },
        Destinations = Enumerable.Range(0, _resource.Replicas).ToDictionary(
            DestinationId, i => new DestinationConfig { Address = _endpoint.GetUrl(i) }, StringComparer.Ordinal),
    };
}

internal static partial class LoadBalancerLog
{
    [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "Load balancer for {Resource} listening on {Url} in front of {Replicas} replicas")]
    public static partial void Started(ILogger logger, string resource, string url, int replicas);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Information, Message = "Load balancer for {Resource} now routes to replicas: {Replicas}")]
    public static partial void RoutedReplicasChanged(ILogger logger, string resource, string replicas);
}
