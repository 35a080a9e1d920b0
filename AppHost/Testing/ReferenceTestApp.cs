namespace Reference.AppHost.Testing;

/// <summary>A started application under test. Disposing it stops every process it started.</summary>
public sealed class ReferenceTestApp : IAsyncDisposable
{
    internal ReferenceTestApp(DistributedApplication application) => Application = application;

    /// <summary>The underlying application (resources, notifications, configuration).</summary>
    public DistributedApplication Application { get; }

    /// <summary>The current snapshot of every resource.</summary>
    public IReadOnlyList<ResourceSnapshot> Resources => Application.ResourceNotifications.GetSnapshots();

    /// <summary>Creates an <see cref="HttpClient"/> whose base address is the resource's public endpoint (the load balancer
    /// when it has several replicas); it never uses a proxy.</summary>
    /// <param name="resourceName">The resource, e.g. <c>gateway</c>.</param>
    /// <param name="endpointName">The endpoint, <c>http</c> by default.</param>
    public HttpClient CreateHttpClient(string resourceName, string endpointName = "http") =>
        new(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = GetEndpoint(resourceName, endpointName) };

    /// <summary>The public URL of a resource's endpoint (the load balancer when it has several replicas), e.g. <c>http://127.0.0.1:5123/</c>.</summary>
    /// <param name="resourceName">The resource, e.g. <c>identity</c>.</param>
    /// <param name="endpointName">The endpoint, <c>http</c> by default.</param>
    public Uri GetEndpoint(string resourceName, string endpointName = "http") =>
        new(GetProcessResource(resourceName).GetEndpoint(endpointName).Url + "/");

    /// <summary>The URLs of every replica of a resource's endpoint (each process's own port), in replica order.</summary>
    /// <param name="resourceName">The resource.</param>
    /// <param name="endpointName">The endpoint, <c>http</c> by default.</param>
    public IReadOnlyList<Uri> GetEndpoints(string resourceName, string endpointName = "http") =>
        [.. GetProcessResource(resourceName).GetEndpoint(endpointName).Urls.Select(u => new Uri(u + "/"))];

    /// <summary>The URLs of every replica of a resource's http endpoint, bypassing the load balancer, in replica order.</summary>
    /// <param name="resourceName">The resource, e.g. <c>gateway</c>.</param>
    public IReadOnlyList<Uri> GetReplicaEndpoints(string resourceName) => GetEndpoints(resourceName);

    /// <summary>Creates an <see cref="HttpClient"/> for one replica (its own port, bypassing the load balancer); never uses a proxy.</summary>
    /// <param name="resourceName">The resource.</param>
    /// <param name="replica">The replica number, from 0.</param>
    /// <param name="handler">An optional handler (e.g. sharing a cookie container); the client disposes it.</param>
    public HttpClient CreateReplicaHttpClient(string resourceName, int replica, HttpMessageHandler? handler = null) =>
        new(handler ?? new SocketsHttpHandler { UseProxy = false }) { BaseAddress = GetReplicaEndpoints(resourceName)[replica] };

    /// <summary>A resource's connection string, e.g. <c>127.0.0.1:6380,password=...</c> for <c>cache</c>.</summary>
    /// <param name="resourceName">The resource.</param>
    /// <exception cref="InvalidOperationException">The resource has no connection string.</exception>
    public string GetConnectionString(string resourceName) =>
        Application.GetResource(resourceName) is RedisResource redis
            ? redis.ConnectionString
            : throw new InvalidOperationException($"Resource '{resourceName}' has no connection string.");

    /// <summary>A parameter's value for this run, e.g. <c>demo-client-secret</c>.</summary>
    /// <param name="parameterName">The parameter.</param>
    public string GetParameterValue(string parameterName) =>
        Application.GetResource(parameterName) is ParameterResource parameter
            ? parameter.Value
            : throw new InvalidOperationException($"Resource '{parameterName}' is not a parameter.");

    /// <summary>The current snapshot of a resource (state, health, URLs, process ids, exit code).</summary>
    /// <param name="resourceName">The resource.</param>
    public ResourceSnapshot GetResource(string resourceName) => Application.ResourceNotifications.GetSnapshot(resourceName);

    /// <summary>Every state/health transition of a resource, oldest first.</summary>
    /// <param name="resourceName">The resource.</param>
    public IReadOnlyList<ResourceSnapshot> GetStateHistory(string resourceName) => Application.ResourceNotifications.GetHistory(resourceName);

    /// <summary>The process ids of a resource's replicas (for Redis: the watchdog wrapping the server).</summary>
    /// <param name="resourceName">The resource.</param>
    public IReadOnlyList<int> GetProcessIds(string resourceName) => GetResource(resourceName).ProcessIds;

    /// <summary>The last lines a resource wrote to stdout/stderr.</summary>
    /// <param name="resourceName">The resource.</param>
    /// <param name="maxLines">How many lines at most.</param>
    public IReadOnlyList<string> GetLogTail(string resourceName, int maxLines = 50) => Application.GetLogTail(resourceName, maxLines);

    /// <summary>Waits until a resource is Running and Healthy.</summary>
    /// <param name="resourceName">The resource.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="ResourceStartupException">The resource exited or failed to start instead.</exception>
    public async Task<ResourceSnapshot> WaitForResourceHealthyAsync(string resourceName, CancellationToken cancellationToken = default)
    {
        var snapshot = await Application.ResourceNotifications.WaitForResourceAsync(resourceName, s => s.IsReady || s.IsTerminal, cancellationToken);
        return snapshot.IsReady
            ? snapshot
            : throw new ResourceStartupException(snapshot, GetLogTail(resourceName, 30), "stopped before it was healthy");
    }

    /// <summary>Waits until a resource's snapshot satisfies a condition.</summary>
    /// <param name="resourceName">The resource.</param>
    /// <param name="predicate">The condition.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public Task<ResourceSnapshot> WaitForResourceAsync(string resourceName, Func<ResourceSnapshot, bool> predicate, CancellationToken cancellationToken = default) =>
        Application.ResourceNotifications.WaitForResourceAsync(resourceName, predicate, cancellationToken);

    /// <summary>Stops every process (SIGTERM, then kill after the shutdown timeout).</summary>
    public ValueTask DisposeAsync() => Application.DisposeAsync();

    private ProcessResource GetProcessResource(string resourceName) =>
        Application.GetResource(resourceName) as ProcessResource
        ?? throw new InvalidOperationException($"Resource '{resourceName}' has no endpoints.");
}
