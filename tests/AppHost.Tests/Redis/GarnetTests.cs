using Reference.AppHost.Testing;
using Reference.AppHost.Tests.Support;

namespace Reference.AppHost.Tests.Redis;

public sealed class GarnetTests
{
    [Fact]
    public async Task AddRedis_ForcedGarnet_RunsGarnetAndAnswersAuthPing()
    {
        var builder = ReferenceAppTesting.CreateBuilder(o => o.Configuration[RedisResource.ServerConfigurationKey] = "garnet");
        var cache = builder.AddRedis("cache");
        await using var app = await ReferenceAppTesting.StartAsync(builder.Build(), TimeSpan.FromSeconds(90));

        var port = cache.GetEndpoint("tcp").Port;
        var server = ProcessTree.DescendantsOf(app.GetProcessIds("cache")).Select(ProcessTree.CommandLine).ToList();

        Assert.Equal("garnet", cache.Resource.Server);
        Assert.Equal(ResourceHealthStatus.Healthy, app.GetResource("cache").Health);
        Assert.Contains(server, c => c.Contains("GarnetServer.dll", StringComparison.OrdinalIgnoreCase));
        Assert.True(await RedisPing.PingAsync("127.0.0.1", port, cache.Resource.Password, CancellationToken.None));
        Assert.False(await RedisPing.PingAsync("127.0.0.1", port, "not-the-password", CancellationToken.None));
    }

    [Fact]
    public async Task AddRedis_UnknownServerChoice_FailedToStartNamingTheKey()
    {
        var builder = ReferenceAppTesting.CreateBuilder(o => o.Configuration[RedisResource.ServerConfigurationKey] = "memcached");
        builder.AddRedis("cache");
        await using var app = builder.Build();

        var failure = await Assert.ThrowsAsync<ResourceStartupException>(() => ReferenceAppTesting.StartAsync(app, TimeSpan.FromSeconds(30)));

        Assert.Equal(KnownResourceState.FailedToStart, failure.State);
        Assert.Contains("AppHost:Redis:Server", failure.Message, StringComparison.Ordinal);
    }
}
