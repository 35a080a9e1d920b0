namespace Reference.ServiceDefaults.ServiceDiscovery;

/// <summary>
/// An HttpClient handler that resolves logical service names in request URIs through
/// <see cref="ServiceEndpointResolver"/> before the request is sent.
/// </summary>
public sealed class ServiceDiscoveryHandler : DelegatingHandler
{
    private readonly ServiceEndpointResolver _resolver;

    /// <summary>Creates the handler.</summary>
    public ServiceDiscoveryHandler(ServiceEndpointResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        _resolver = resolver;
    }

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RequestUri is { } uri)
        {
            request.RequestUri = _resolver.Resolve(uri);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
