namespace Reference.AppHost.Hosting;

/// <summary>
/// An endpoint a process resource listens on, with one port per replica once allocated. An http endpoint of a
/// resource with several replicas also gets a public port: the AppHost's load balancer listens there and spreads
/// requests over the replicas.
/// </summary>
internal sealed class EndpointDefinition(string name, string scheme, int? fixedPort, string? portEnvironmentVariable)
{
    public const string Host = "127.0.0.1";

    private int[]? _ports;
    private int? _publicPort;

    public string Name { get; } = name;

    /// <summary><c>http</c> or <c>tcp</c>.</summary>
    public string Scheme { get; } = scheme;

    /// <summary>A port requested by the model (the load balancer's when load balanced); null means a free port is allocated.</summary>
    public int? FixedPort { get; } = fixedPort;

    /// <summary>For executables: the environment variable that receives the port.</summary>
    public string? PortEnvironmentVariable { get; } = portEnvironmentVariable;

    public bool IsAllocated => _ports is not null;

    /// <summary>Whether the AppHost's load balancer fronts the replicas on <see cref="PublicPort"/>.</summary>
    public bool IsLoadBalanced => _publicPort is not null;

    public int ReplicaCount => _ports?.Length ?? 0;

    public void Allocate(int[] ports, int? publicPort = null)
    {
        _ports = ports;
        _publicPort = publicPort;
    }

    public int GetPort(int replica) =>
        _ports is { } ports
            ? ports[replica]
            : throw new InvalidOperationException($"Endpoint '{Name}' has no port yet: ports are allocated when the application starts.");

    /// <summary>The port clients use: the load balancer's, or the only replica's.</summary>
    public int PublicPort => _publicPort ?? GetPort(0);

    public string GetUrl(int replica) => FormatUrl(GetPort(replica));

    /// <summary>The URL clients use: the load balancer's, or the only replica's.</summary>
    public string PublicUrl => FormatUrl(PublicPort);

    /// <summary>The URL of every replica, in replica order.</summary>
    public IReadOnlyList<string> GetUrls() => _ports is null ? [] : [.. _ports.Select((_, i) => GetUrl(i))];

    private string FormatUrl(int port) => Scheme == "http" ? $"http://{Host}:{port}" : $"tcp://{Host}:{port}";
}
