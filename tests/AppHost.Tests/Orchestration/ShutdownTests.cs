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
        builder.AddProject<Projects.Orders_Api>("orders").WithHttpHealthCheck("/health")
            .WithEnvironment("TrustedHeaders__GatewayNetworks__0", "127.0.0.0/8");
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

    [Fact]
    public async Task DisposeAsync_ChildIgnoresSigterm_KilledAfterTheShutdownTimeout()
    {
        var builder = ReferenceAppTesting.CreateBuilder(o => o.Configuration["AppHost:ShutdownTimeout"] = "00:00:01");
        builder.AddExecutable("stubborn", "sh", Path.GetTempPath(), "-c", "trap '' TERM; echo ignoring SIGTERM; sleep 600");
        var app = await ReferenceAppTesting.StartAsync(builder.Build(), TimeSpan.FromSeconds(30));
        var pid = app.GetProcessIds("stubborn").Single();
        var everything = ProcessTree.DescendantsOf([pid]).Append(pid).ToList();

        await app.DisposeAsync();
        var alive = await ProcessTree.WaitUntilGoneAsync(everything, TimeSpan.FromSeconds(10));

        Assert.Empty(alive);
        Assert.Equal(KnownResourceState.Exited, app.GetResource("stubborn").State);
        Assert.Equal(137, app.GetResource("stubborn").ExitCode);
    }

    [Fact]
    public async Task OutputSink_ChildOutput_EchoedWithResourcePrefixAndKeptInTail()
    {
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var builder = ReferenceAppTesting.CreateBuilder(o => o.OutputSink = lines.Enqueue);
        builder.AddTestServer("echoer");
        await using var app = await ReferenceAppTesting.StartAsync(builder.Build(), TimeSpan.FromSeconds(30));

        Assert.Contains(lines, l => l.StartsWith("[echoer] test server listening on", StringComparison.Ordinal));
        Assert.Contains(app.GetLogTail("echoer"), l => l.StartsWith("test server listening on", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WaitForResourceHealthyAsync_ResourceExits_ThrowsInsteadOfHanging()
    {
        var flag = Path.Combine(Path.GetTempPath(), $"apphost-exit-{Guid.NewGuid():N}");
        var builder = ReferenceAppTesting.CreateBuilder();
        builder.AddExecutable("short-lived", "sh", Path.GetTempPath(), "-c", $"while [ ! -f {flag} ]; do sleep 0.1; done; echo done; exit 0");
        await using var app = await ReferenceAppTesting.StartAsync(builder.Build(), TimeSpan.FromSeconds(30));
        await File.WriteAllTextAsync(flag, "exit");
        await app.WaitForResourceAsync("short-lived", s => s.IsTerminal).WaitAsync(TimeSpan.FromSeconds(30));

        var failure = await Assert.ThrowsAsync<ResourceStartupException>(() => app.WaitForResourceHealthyAsync("short-lived"));

        Assert.Equal(KnownResourceState.Exited, failure.State);
        Assert.Equal(0, failure.ExitCode);
        Assert.Contains("done", failure.LogTail);
        File.Delete(flag);
    }

    [Fact]
    public async Task StartAsync_EnvironmentCallbackThrows_FailedToStartWithTheReason()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        builder.AddTestServer("broken").WithEnvironment("VALUE", () => throw new InvalidOperationException("no value for VALUE"));
        await using var app = builder.Build();

        var failure = await Assert.ThrowsAsync<ResourceStartupException>(() => ReferenceAppTesting.StartAsync(app, TimeSpan.FromSeconds(30)));

        Assert.Equal(KnownResourceState.FailedToStart, failure.State);
        Assert.Contains("no value for VALUE", failure.Message, StringComparison.Ordinal);
    }
}
