using Reference.AppHost.Testing;

namespace Reference.AppHost.Tests.Orchestration;

public sealed class ResourceControlTests
{
    [Fact]
    public async Task StopThenStart_RunningResource_ExitsAsStoppedThenRunsAgainWithANewProcess()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        builder.AddExecutable("sleeper", "sh", Path.GetTempPath(), "-c", "echo started; exec sleep 600");
        builder.AddExecutable("neighbour", "sh", Path.GetTempPath(), "-c", "exec sleep 600");
        await using var app = await ReferenceAppTesting.StartAsync(builder.Build(), TimeSpan.FromSeconds(30));
        var control = app.Application.ResourceControl;
        var firstPid = app.GetProcessIds("sleeper").Single();

        var stopped = await control.StopResourceAsync("sleeper");
        var afterStop = app.GetResource("sleeper");
        var started = control.StartResource("sleeper");
        var running = await app.WaitForResourceHealthyAsync("sleeper");

        Assert.True(stopped);
        Assert.Equal(KnownResourceState.Exited, afterStop.State);
        Assert.Equal("Stopped from the dashboard", afterStop.Message);
        Assert.True(started);
        Assert.NotEqual(firstPid, running.ProcessIds.Single());
        Assert.Equal(KnownResourceState.Running, app.GetResource("neighbour").State);
    }

    [Fact]
    public async Task Restart_RunningResource_ReplacesItsProcess()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        builder.AddExecutable("sleeper", "sh", Path.GetTempPath(), "-c", "exec sleep 600");
        await using var app = await ReferenceAppTesting.StartAsync(builder.Build(), TimeSpan.FromSeconds(30));
        var firstPid = app.GetProcessIds("sleeper").Single();

        var restarted = await app.Application.ResourceControl.RestartResourceAsync("sleeper");
        var running = await app.WaitForResourceHealthyAsync("sleeper");

        Assert.True(restarted);
        Assert.NotEqual(firstPid, running.ProcessIds.Single());
    }

    [Fact]
    public async Task StartAndStop_InvalidRequests_AreRefused()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        builder.AddExecutable("sleeper", "sh", Path.GetTempPath(), "-c", "exec sleep 600");
        await using var app = await ReferenceAppTesting.StartAsync(builder.Build(), TimeSpan.FromSeconds(30));
        var control = app.Application.ResourceControl;

        Assert.False(control.StartResource("sleeper"));
        Assert.False(control.StartResource("missing"));
        Assert.False(await control.StopResourceAsync("missing"));
        Assert.Equal(KnownResourceState.Running, app.GetResource("sleeper").State);
    }
}
