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

    /// <summary>The port of the first replica.</summary>
    /// <exception cref="InvalidOperationException">The application has not allocated ports yet.</exception>
    public int Port => Resource.GetEndpointDefinition(EndpointName).GetPort(0);

    /// <summary>The URL of the first replica, e.g. <c>http://127.0.0.1:5123</c>.</summary>
    /// <exception cref="InvalidOperationException">The application has not allocated ports yet.</exception>
    public string Url => Resource.GetEndpointDefinition(EndpointName).GetUrl(0);

    /// <summary>The URLs of every replica, in replica order.</summary>
    public IReadOnlyList<string> Urls => Resource.GetEndpointDefinition(EndpointName).GetUrls();
}
