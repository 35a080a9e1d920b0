using System.Net;
using System.Security.Cryptography;
using System.Text;
using Reference.AppHost.Tests.Support;

namespace Reference.AppHost.Tests.Hosting;

[Collection(FullAppGroup.Name)]
public sealed class ReferenceAppTests(FullAppFixture fixture)
{
    private static readonly string[] ResourceNames = ["cache", "identity", "gateway", "orders", "inventory"];

    [Fact]
    public void StartAsync_FullModel_EveryResourceRunningAndHealthy()
    {
        var resources = fixture.App.Resources;

        Assert.Equal(ResourceNames.Order(), resources.Select(r => r.Name).Order());
        Assert.All(resources, r =>
        {
            Assert.Equal(KnownResourceState.Running, r.State);
            Assert.Equal(ResourceHealthStatus.Healthy, r.Health);
            Assert.NotEmpty(r.ProcessIds);
            Assert.All(r.ProcessIds, pid => Assert.True(ProcessTree.IsAlive(pid), $"{r.Name} pid {pid} is not alive"));
        });
    }

    [Theory]
    [InlineData("identity")]
    [InlineData("gateway")]
    [InlineData("orders")]
    [InlineData("inventory")]
    public async Task CreateHttpClient_Project_HealthAnswers200(string resource)
    {
        using var client = fixture.App.CreateHttpClient(resource);

        using var response = await client.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("127.0.0.1", client.BaseAddress!.Host);
    }

    [Fact]
    public async Task GetConnectionString_Cache_AuthenticatesAndPings()
    {
        var connectionString = fixture.App.GetConnectionString("cache");
        var parts = connectionString.Split(',');
        var hostPort = parts[0].Split(':');

        Assert.Equal("127.0.0.1", hostPort[0]);
        Assert.StartsWith("password=", parts[1], StringComparison.Ordinal);
        Assert.True(await RedisPing.PingAsync(hostPort[0], int.Parse(hostPort[1]), parts[1]["password=".Length..], CancellationToken.None));
        Assert.False(await RedisPing.PingAsync(hostPort[0], int.Parse(hostPort[1]), "wrong-password", CancellationToken.None));
    }

    [Fact]
    public void Identity_Environment_CarriesIssuerSecretHashAndConventions()
    {
        var environment = ProcessTree.EnvironmentOf(fixture.App.GetProcessIds("identity")[0]);
        var identityUrl = fixture.App.GetEndpoint("identity").ToString().TrimEnd('/');
        var secret = fixture.App.GetParameterValue("demo-client-secret");

        Assert.Equal(identityUrl, environment["IdentityProvider__Issuer"]);
        Assert.Equal(fixture.App.GetReplicaEndpoints("identity")[0].ToString().TrimEnd('/'), environment["ASPNETCORE_URLS"]);
        Assert.NotEqual(identityUrl, environment["ASPNETCORE_URLS"]);
        Assert.Equal("127.0.0.1", environment["ForwardedHeaders__KnownProxies__0"]);
        Assert.Equal("Development", environment["ASPNETCORE_ENVIRONMENT"]);
        Assert.Equal(
            "sha256:" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(secret))),
            environment["IdentityProvider__Clients__demo-client__SecretHashes__0"]);
        Assert.Equal(fixture.App.GetConnectionString("cache"), environment["ConnectionStrings__cache"]);
        Assert.Equal("identity", environment["OTEL_SERVICE_NAME"]);
        Assert.StartsWith("service.instance.id=identity-", environment["OTEL_RESOURCE_ATTRIBUTES"], StringComparison.Ordinal);
        Assert.Equal(Environment.ProcessId.ToString(), environment["REFERENCE_APPHOST_PID"]);
        Assert.False(environment.ContainsKey("OTEL_EXPORTER_OTLP_ENDPOINT"));
    }

    [Fact]
    public void GatewayAndOrders_CircularReferences_EachKnowsTheOthersUrl()
    {
        var gateway = ProcessTree.EnvironmentOf(fixture.App.GetProcessIds("gateway")[0]);
        var orders = ProcessTree.EnvironmentOf(fixture.App.GetProcessIds("orders")[0]);
        string Url(string name) => fixture.App.GetEndpoint(name).ToString().TrimEnd('/');

        Assert.Equal(Url("orders"), gateway["services__orders__http__0"]);
        Assert.Equal(Url("inventory"), gateway["services__inventory__http__0"]);
        Assert.Equal(Url("identity"), gateway["services__identity__http__0"]);
        Assert.Equal(Url("identity"), gateway["Gateway__Authentication__Jwt__Issuer"]);
        Assert.Equal(Url("gateway"), orders["services__gateway__http__0"]);
    }

    [Fact]
    public void History_WaitForCache_IdentityStartsOnlyAfterCacheHealthy()
    {
        var cacheHealthy = fixture.App.GetStateHistory("cache").First(s => s.IsReady).Timestamp;
        var identity = fixture.App.GetStateHistory("identity");

        Assert.Contains(identity, s => s.State == KnownResourceState.Waiting);
        Assert.True(identity.First(s => s.State == KnownResourceState.Starting).Timestamp >= cacheHealthy);
    }

    [Fact]
    public void GetParameterValue_DemoSecret_RandomAndUrlSafe()
    {
        var secret = fixture.App.GetParameterValue("demo-client-secret");

        Assert.True(secret.Length >= 40);
        Assert.All(secret, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));
    }

    [Fact]
    public void WorkingDirectory_Project_IsTheProjectDirectory()
    {
        var pid = fixture.App.GetProcessIds("gateway")[0];
        var cwd = new DirectoryInfo(File.ResolveLinkTarget($"/proc/{pid}/cwd", returnFinalTarget: true)!.FullName);

        Assert.Equal("Gateway", cwd.Name);
        Assert.True(File.Exists(Path.Combine(cwd.FullName, "Gateway.csproj")));
        Assert.Contains("Gateway.dll", ProcessTree.CommandLine(pid), StringComparison.Ordinal);
    }
}
