namespace Reference.AppHost.Hosting;

/// <summary>
/// A reference to a resource's endpoint. Ports are allocated when the application starts, so
/// <see cref="Url"/> can be read only then (for instance from a <c>WithEnvironment</c> value).
/// </summary>
public sealed class EndpointReference
{
    internal EndpointReference(ProcessResource resource, string endpointName)
    {
        Resource = resource;
        EndpointName = endpointName;
    }

    /// <summary>The resource that owns the endpoint.</summary>
    public ProcessResource Resource { get; }

    /// <summary>The endpoint name (<c>http</c> for projects, <c>tcp</c> for Redis).</summary>
    public string EndpointName { get; }

    /// <summary>Whether ports have been allocated.</summary>
    public bool IsAllocated => Resource.GetEndpointDefinition(EndpointName).IsAllocated;

    /// <summary>The host, always the IPv4 loopback address.</summary>
    public string Host { get; } = EndpointDefinition.Host;

    /// <summary>
    /// The public port: the AppHost's load balancer's when the resource has several replicas (http endpoints),
    /// otherwise the only replica's.
    /// </summary>
    /// <exception cref="InvalidOperationException">The application has not allocated ports yet.</exception>
    public int Port => Resource.GetEndpointDefinition(EndpointName).PublicPort;

    /// <summary>The public URL, e.g. <c>http://127.0.0.1:5123</c>: what users, the dashboard and references see.</summary>
    /// <exception cref="InvalidOperationException">The application has not allocated ports yet.</exception>
    public string Url => Resource.GetEndpointDefinition(EndpointName).PublicUrl;

    /// <summary>Whether the AppHost's load balancer listens on <see cref="Url"/> in front of the replicas.</summary>
    public bool IsLoadBalanced => Resource.GetEndpointDefinition(EndpointName).IsLoadBalanced;

    /// <summary>The URLs of every replica (each process's own port), in replica order.</summary>
    public IReadOnlyList<string> Urls => Resource.GetEndpointDefinition(EndpointName).GetUrls();
}
