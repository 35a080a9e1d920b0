using Reference.AppHost.Testing;
using Reference.AppHost.Tests.Support;

namespace Reference.AppHost.Tests.Orchestration;

public sealed class ShutdownTests
{
    [Fact]
    public async Task DisposeAsync_RunningApp_LeavesNoChildOrGrandchildAlive()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        var cache = builder.AddRedis("cache");
        builder.AddTestServer("web").WithReference(cache).WaitFor(cache);
        builder.AddProject<Projects.Orders_Api>("orders").WithHttpHealthCheck("/health");
        var app = await ReferenceAppTesting.StartAsync(builder.Build(), TimeSpan.FromSeconds(60));
        var children = app.Resources.SelectMany(r => r.ProcessIds).ToList();
        var everything = children.Concat(ProcessTree.DescendantsOf(children)).ToList();
        var commandLines = everything.Select(ProcessTree.CommandLine).ToList();

        await app.DisposeAsync();
        var alive = await ProcessTree.WaitUntilGoneAsync(everything, TimeSpan.FromSeconds(15));

        Assert.Equal(3, children.Count);
        Assert.Contains(commandLines, c => c.Contains("redis-server", StringComparison.Ordinal) || c.Contains("Garnet", StringComparison.OrdinalIgnoreCase));
        Assert.True(everything.Count > children.Count, "the Redis server runs under the AppHost's watchdog");
        Assert.Empty(alive);
        Assert.All(app.Resources, r => Assert.Equal(KnownResourceState.Exited, r.State));
    }
}
