namespace Reference.AppHost.Hosting;

/// <summary>An endpoint a process resource listens on, with one port per replica once allocated.</summary>
internal sealed class EndpointDefinition(string name, string scheme, int? fixedPort, string? portEnvironmentVariable)
{
    public const string Host = "127.0.0.1";

    private int[]? _ports;

    public string Name { get; } = name;

    /// <summary><c>http</c> or <c>tcp</c>.</summary>
    public string Scheme { get; } = scheme;

    /// <summary>A port requested by the model; null means a free port is allocated.</summary>
    public int? FixedPort { get; } = fixedPort;

    /// <summary>For executables: the environment variable that receives the port.</summary>
    public string? PortEnvironmentVariable { get; } = portEnvironmentVariable;

    public bool IsAllocated => _ports is not null;

    public void Allocate(int[] ports) => _ports = ports;

    public int GetPort(int replica) =>
        _ports is { } ports
            ? ports[replica]
            : throw new InvalidOperationException($"Endpoint '{Name}' has no port yet: ports are allocated when the application starts.");

    public string GetUrl(int replica) => Scheme == "http" ? $"http://{Host}:{GetPort(replica)}" : $"tcp://{Host}:{GetPort(replica)}";

    public IReadOnlyList<string> GetUrls() => _ports is null ? [] : [.. _ports.Select((_, i) => GetUrl(i))];
}
