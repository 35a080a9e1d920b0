using System.Net;
using System.Net.Sockets;

namespace Reference.AppHost.Hosting.Orchestration;

/// <summary>
/// Allocates every endpoint's ports before anything starts, so resources can reference each other in
/// cycles (gateway → orders for proxying, orders → gateway for its JWKS).
/// </summary>
internal static class PortAllocator
{
    /// <summary>Allocates ports; returns the resources whose fixed port is already in use, with the message.</summary>
    public static Dictionary<ProcessResource, string> Allocate(IEnumerable<ProcessResource> resources)
    {
        var failures = new Dictionary<ProcessResource, string>();

        // Every probe listener stays open until all free ports are chosen, so no port is handed out twice.
        var held = new List<TcpListener>();
        try
        {
            foreach (var resource in resources)
            {
                foreach (var endpoint in resource.Endpoints)
                {
                    // Several http replicas sit behind the AppHost's load balancer: a fixed port is the balancer's,
                    // every replica gets a free port of its own.
                    var loadBalanced = resource.Replicas > 1 && endpoint.Scheme == "http";
                    int? publicPort = null;
                    if (loadBalanced)
                    {
                        publicPort = endpoint.FixedPort is { } fixedPublic ? CheckFixed(resource, endpoint, fixedPublic, failures) : Hold(held);
                    }

                    var ports = new int[resource.Replicas];
                    for (var replica = 0; replica < resource.Replicas; replica++)
                    {
                        if (endpoint.FixedPort is { } fixedPort && !loadBalanced)
                        {
                            if (resource.Replicas > 1)
                            {
                                failures[resource] = $"Endpoint '{endpoint.Name}' has the fixed port {fixedPort} but {resource.Replicas} replicas: each replica needs its own port.";
                                ports[replica] = fixedPort;
                            }
                            else
                            {
                                ports[replica] = CheckFixed(resource, endpoint, fixedPort, failures);
                            }

                            continue;
                        }

                        ports[replica] = Hold(held);
                    }

                    endpoint.Allocate(ports, publicPort);
                }
            }
        }
        finally
        {
            foreach (var listener in held)
            {
                listener.Stop();
                listener.Dispose();
            }
        }

        return failures;
    }

    private static int CheckFixed(ProcessResource resource, EndpointDefinition endpoint, int port, Dictionary<ProcessResource, string> failures)
    {
        if (!IsFree(port))
        {
            failures[resource] = $"Port {port} on {EndpointDefinition.Host} (endpoint '{endpoint.Name}') is already in use.";
        }

        return port;
    }

    private static int Hold(List<TcpListener> held)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        held.Add(listener);
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
