using Microsoft.Extensions.Configuration;
using Reference.ServiceDefaults.ServiceDiscovery;

namespace Reference.ServiceDefaults.Tests.ServiceDiscovery;

public sealed class ServiceEndpointResolverTests
{
    private static ServiceEndpointResolver Resolver(Dictionary<string, string?> values) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(values).Build());

    [Fact]
    public void Resolve_MissingService_ErrorNamesTheConfigurationKey()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Resolver([]).Resolve(new Uri("http://gateway/.well-known/internal-jwks.json")));

        Assert.Contains("services:gateway:http:0", error.Message, StringComparison.Ordinal);
        Assert.Contains("services__gateway__http__0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_ConfiguredService_RewritesHostAndKeepsPath()
    {
        var resolver = Resolver(new() { ["services:gateway:http:0"] = "http://127.0.0.1:5123" });

        var resolved = resolver.Resolve(new Uri("http://gateway/.well-known/internal-jwks.json"));

        Assert.Equal(new Uri("http://127.0.0.1:5123/.well-known/internal-jwks.json"), resolved);
    }

    [Theory]
    [InlineData("http://127.0.0.1:9000/x")]
    [InlineData("http://localhost:9000/x")]
    [InlineData("https://gateway.example.com/x")]
    public void Resolve_NetworkAddress_Unchanged(string uri)
    {
        Assert.Equal(new Uri(uri), Resolver([]).Resolve(new Uri(uri)));
    }
}
