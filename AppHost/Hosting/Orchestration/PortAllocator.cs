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
                    var ports = new int[resource.Replicas];
                    for (var replica = 0; replica < resource.Replicas; replica++)
                    {
                        if (endpoint.FixedPort is { } fixedPort)
                        {
                            if (resource.Replicas > 1)
                            {
                                failures[resource] = $"Endpoint '{endpoint.Name}' has the fixed port {fixedPort} but {resource.Replicas} replicas: each replica needs its own port.";
                            }
                            else if (!IsFree(fixedPort))
                            {
                                failures[resource] = $"Port {fixedPort} on {EndpointDefinition.Host} (endpoint '{endpoint.Name}') is already in use.";
                            }

                            ports[replica] = fixedPort;
                            continue;
                        }

                        var listener = new TcpListener(IPAddress.Loopback, 0);
                        listener.Start();
                        held.Add(listener);
                        ports[replica] = ((IPEndPoint)listener.LocalEndpoint).Port;
                    }

                    endpoint.Allocate(ports);
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
