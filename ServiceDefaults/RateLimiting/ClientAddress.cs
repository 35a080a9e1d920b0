using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace Reference.ServiceDefaults.RateLimiting;

/// <summary>
/// The client address a per-IP limit is keyed on: the connection's remote address, which the forwarded-headers
/// middleware replaces with the <c>X-Forwarded-For</c> value only when the request came through a proxy listed in
/// <c>ForwardedHeaders:KnownProxies</c> / <c>KnownNetworks</c>; from anyone else the header is ignored, so rotating it
/// cannot change the key.
/// </summary>
public static class ClientAddress
{
    /// <summary>
    /// The partition key: an IPv4 address as is, an IPv6 address as its /64 network (one subscriber usually holds a
    /// whole /64), IPv4-mapped IPv6 as IPv4, and <c>unknown</c> when there is no remote address (in-process servers).
    /// </summary>
    public static string PartitionKey(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return PartitionKey(context.Connection.RemoteIpAddress);
    }

    /// <inheritdoc cref="PartitionKey(HttpContext)"/>
    public static string PartitionKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            Array.Clear(bytes, 8, 8);
            return new IPAddress(bytes) + "/64";
        }

        return address.ToString();
    }
}
