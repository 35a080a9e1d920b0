using System.Net;
using System.Net.Sockets;
using Reference.AppHost.Testing;
using Reference.AppHost.Tests.Support;

namespace Reference.AppHost.Tests.Orchestration;

public sealed class StartupFailureTests
{
    [Fact]
    public async Task StartAsync_ChildCrashesAtStart_ThrowsWithExitCodeAndLogTail()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        builder.AddExecutable("crasher", "sh", Path.GetTempPath(), "-c", "echo starting up; echo 'fatal: Crasher:Key is required' >&2; exit 3")
            .WithHttpEndpoint(env: "PORT")
            .WithHttpHealthCheck("/health");
        builder.AddTestServer("bystander");
        await using var app = builder.Build();

        var failure = await Assert.ThrowsAsync<ResourceStartupException>(() => ReferenceAppTesting.StartAsync(app, TimeSpan.FromSeconds(60)));

        Assert.Equal("crasher", failure.ResourceName);
        Assert.Equal(KnownResourceState.Exited, failure.State);
        Assert.Equal(3, failure.ExitCode);
        Assert.Contains("fatal: Crasher:Key is required", failure.LogTail);
        Assert.Contains("starting up", failure.LogTail);
        Assert.Contains("exit code 3", failure.Message, StringComparison.Ordinal);
        Assert.Contains("fatal: Crasher:Key is required", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_ExecutableMissing_FailedToStartNamingIt()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        builder.AddExecutable("ghost", "/nonexistent/definitely-not-a-command", Path.GetTempPath());
        await using var app = builder.Build();

        var failure = await Assert.ThrowsAsync<ResourceStartupException>(() => ReferenceAppTesting.StartAsync(app, TimeSpan.FromSeconds(60)));

        Assert.Equal("ghost", failure.ResourceName);
        Assert.Equal(KnownResourceState.FailedToStart, failure.State);
        Assert.Null(failure.ExitCode);
        Assert.Contains("/nonexistent/definitely-not-a-command", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_RedisPortTaken_FailedToStartNamingThePort()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var builder = ReferenceAppTesting.CreateBuilder();
        builder.AddRedis("cache", port);
        await using var app = builder.Build();

        var failure = await Assert.ThrowsAsync<ResourceStartupException>(() => ReferenceAppTesting.StartAsync(app, TimeSpan.FromSeconds(60)));

        Assert.Equal("cache", failure.ResourceName);
        Assert.Equal(KnownResourceState.FailedToStart, failure.State);
        Assert.Contains($"Port {port}", failure.Message, StringComparison.Ordinal);
        Assert.Contains("already in use", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_ResourceNeverHealthy_ThrowsAfterTheTimeoutInsteadOfHanging()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        builder.AddTestServer("sulky").WithEnvironment("HEALTH_FLAG", "/nonexistent/never-created");
        await using var app = builder.Build();

        var failure = await Assert.ThrowsAsync<ResourceStartupException>(() => ReferenceAppTesting.StartAsync(app, TimeSpan.FromSeconds(10)));

        Assert.Equal("sulky", failure.ResourceName);
        Assert.Equal(KnownResourceState.Running, failure.State);
        Assert.Equal(ResourceHealthStatus.Unhealthy, failure.Health);
        Assert.Contains("was not running and healthy within 10 s", failure.Message, StringComparison.Ordinal);
        Assert.Contains(failure.LogTail, line => line.Contains("test server listening", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartAsync_Failure_StopsTheProcessesItStarted()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        var bystander = builder.AddTestServer("bystander");
        builder.AddExecutable("late-crasher", "sh", Path.GetTempPath(), "-c", "exit 2")
            .WithHttpEndpoint(env: "PORT")
            .WithHttpHealthCheck("/health")
            .WaitFor(bystander);
        await using var app = builder.Build();

        var failure = await Assert.ThrowsAsync<ResourceStartupException>(() => ReferenceAppTesting.StartAsync(app, TimeSpan.FromSeconds(60)));
        var bystanderState = app.ResourceNotifications.GetSnapshot("bystander");

        Assert.Equal("late-crasher", failure.ResourceName);
        Assert.Equal(2, failure.ExitCode);
        Assert.Equal(KnownResourceState.Exited, bystanderState.State);
        Assert.Single(bystanderState.ProcessIds);
        Assert.All(bystanderState.ProcessIds, pid => Assert.False(ProcessTree.IsAlive(pid)));
    }
}
