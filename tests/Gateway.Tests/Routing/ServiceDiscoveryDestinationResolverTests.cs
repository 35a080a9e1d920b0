using Microsoft.Extensions.Configuration;
using Reference.Gateway.Routing;
using Reference.ServiceDefaults.ServiceDiscovery;
using Yarp.ReverseProxy.Configuration;

namespace Reference.Gateway.Tests.Routing;

public sealed class ServiceDiscoveryDestinationResolverTests
{
    [Fact]
    public async Task Resolve_LogicalNameWithSeveralEndpoints_EveryEndpointBecomesADestination()
    {
        var resolver = Create(new()
        {
            ["services:orders:http:0"] = "http://127.0.0.1:5001",
            ["services:orders:http:1"] = "http://127.0.0.1:5002",
        });

        var result = await resolver.ResolveDestinationsAsync(
            new Dictionary<string, DestinationConfig> { ["orders"] = new() { Address = "http://orders" } }, CancellationToken.None);

        Assert.Equal(
            ["http://127.0.0.1:5001/", "http://127.0.0.1:5002/"],
            result.Destinations.Values.Select(d => d.Address).Order(StringComparer.Ordinal));
        Assert.Equal(["orders[0]", "orders[1]"], result.Destinations.Keys.Order(StringComparer.Ordinal));
        Assert.NotNull(result.ChangeToken);
    }

    [Fact]
    public async Task Resolve_LogicalNameWithBasePath_KeepsBothPaths()
    {
        var resolver = Create(new() { ["services:orders:http:0"] = "http://127.0.0.1:5001/base/" });

        var result = await resolver.ResolveDestinationsAsync(
            new Dictionary<string, DestinationConfig> { ["orders"] = new() { Address = "http://orders/v1" } }, CancellationToken.None);

        Assert.Equal("http://127.0.0.1:5001/base/v1", Assert.Single(result.Destinations).Value.Address);
    }

    [Fact]
    public async Task Resolve_ConcreteAddress_Unchanged()
    {
        var resolver = Create([]);

        var result = await resolver.ResolveDestinationsAsync(
            new Dictionary<string, DestinationConfig> { ["d"] = new() { Address = "http://10.0.0.5:8080" } }, CancellationToken.None);

        Assert.Equal("http://10.0.0.5:8080", Assert.Single(result.Destinations).Value.Address);
    }

    [Fact]
    public async Task Resolve_LogicalNameWithoutEndpoint_FailsNamingTheKey()
    {
        var resolver = Create([]);

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => resolver.ResolveDestinationsAsync(
            new Dictionary<string, DestinationConfig> { ["d"] = new() { Address = "http://inventory" } }, CancellationToken.None).AsTask());

        Assert.Contains("services:inventory:http:0", exception.Message, StringComparison.Ordinal);
    }

    private static ServiceDiscoveryDestinationResolver Create(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceDiscoveryDestinationResolver(new ServiceEndpointResolver(configuration), configuration);
    }
}
