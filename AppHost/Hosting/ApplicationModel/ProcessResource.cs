using Reference.AppHost.Hosting.Orchestration;

namespace Reference.AppHost.Hosting;

/// <summary>
/// A resource the AppHost runs as one or more child processes (one per replica): a project, an
/// executable, a Redis server.
/// </summary>
public abstract class ProcessResource : Resource
{
    private readonly List<EndpointDefinition> _endpoints = [];

    /// <summary>Creates a process resource.</summary>
    /// <param name="name">The resource name.</param>
    protected ProcessResource(string name)
        : base(name)
    {
    }

    /// <summary>How many processes run this resource, each on its own port with its own instance id.</summary>
    public int Replicas { get; internal set; } = 1;

    /// <summary>
    /// Whether the resource's HTTP endpoints are meant to be called from outside the application (the
    /// gateway, the IdP). Recorded in the model for the dashboard and deployment; locally every endpoint is on 127.0.0.1.
    /// </summary>
    public bool HasExternalHttpEndpoints { get; internal set; }

    /// <summary>The resources this one references (their URLs or connection strings are injected).</summary>
    public IReadOnlyList<Resource> References => ReferenceList;

    /// <summary>The resources that must be running and healthy before this one starts.</summary>
    public IReadOnlyList<ProcessResource> WaitsFor => WaitForList;

    /// <summary>The HTTP health check path, if any (a GET answering 200 means healthy).</summary>
    public string? HealthCheckPath { get; internal set; }

    internal List<Resource> ReferenceList { get; } = [];

    internal List<ProcessResource> WaitForList { get; } = [];

    /// <summary>References that get every replica's URL instead of the load balancer's (<c>WithReplicaReference</c>).</summary>
    internal List<ProcessResource> ReplicaReferenceList { get; } = [];

    internal List<KeyValuePair<string, Func<string>>> EnvironmentCallbacks { get; } = [];

    internal IReadOnlyList<EndpointDefinition> Endpoints => _endpoints;

    /// <summary>Gets a reference to one of the resource's endpoints.</summary>
    /// <param name="name">The endpoint name: <c>http</c> for projects and executables, <c>tcp</c> for Redis.</param>
    /// <exception cref="InvalidOperationException">The resource has no endpoint of that name.</exception>
    public EndpointReference GetEndpoint(string name)
    {
        _ = GetEndpointDefinition(name);
        return new EndpointReference(this, name);
    }

    internal EndpointDefinition GetEndpointDefinition(string name) =>
        _endpoints.Find(e => e.Name == name)
        ?? throw new InvalidOperationException($"{this} has no endpoint named '{name}'.");

    internal EndpointDefinition? FindEndpoint(string name) => _endpoints.Find(e => e.Name == name);

    internal void AddEndpoint(EndpointDefinition endpoint)
    {
        if (FindEndpoint(endpoint.Name) is not null)
        {
            throw new InvalidOperationException($"{this} already has an endpoint named '{endpoint.Name}'.");
        }

        _endpoints.Add(endpoint);
    }

    /// <summary>Resolves what to launch for a replica; called once ports are allocated.</summary>
    internal abstract Task<ProcessCommand> ResolveCommandAsync(LaunchContext context, CancellationToken cancellationToken);

    /// <summary>Adds the environment conventions of this resource kind (e.g. ASPNETCORE_URLS for projects).</summary>
    internal virtual void AddConventionalEnvironment(IDictionary<string, string> environment, int replica)
    {
        foreach (var endpoint in _endpoints.Where(e => e.PortEnvironmentVariable is not null))
        {
            environment[endpoint.PortEnvironmentVariable!] = endpoint.GetPort(replica).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The health probe of this resource, or null when running means healthy.</summary>
    internal virtual IHealthProbe? CreateHealthProbe(HttpClient httpClient) =>
        HealthCheckPath is { } path ? new HttpHealthProbe(httpClient, GetEndpointDefinition("http"), path) : null;
}
