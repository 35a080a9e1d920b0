using Reference.AppHost.Testing;
using Reference.AppHost.Tests.Support;

namespace Reference.AppHost.Tests.Orchestration;

public sealed class DependencyOrderTests
{
    [Fact]
    public async Task WaitFor_DependencyUnhealthy_StaysWaitingUntilItBecomesHealthy()
    {
        var flag = Path.Combine(Path.GetTempPath(), $"apphost-health-{Guid.NewGuid():N}");
        var builder = ReferenceAppTesting.CreateBuilder();
        var dependency = builder.AddTestServer("dependency").WithEnvironment("HEALTH_FLAG", flag);
        builder.AddTestServer("dependent").WaitFor(dependency);
        await using var app = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var notifications = app.ResourceNotifications;

        await app.StartAsync(timeout.Token);
        await notifications.WaitForResourceAsync("dependency", s => s.State == KnownResourceState.Running && s.Health == ResourceHealthStatus.Unhealthy, timeout.Token);
        var whileUnhealthy = notifications.GetSnapshot("dependent");
        await File.WriteAllTextAsync(flag, "ok", timeout.Token);
        await notifications.WaitForResourceAsync("dependent", s => s.IsReady, timeout.Token);
        File.Delete(flag);

        Assert.Equal(KnownResourceState.Waiting, whileUnhealthy.State);
        Assert.Equal("Waiting for dependency", whileUnhealthy.Message);
        var dependencyHealthy = notifications.GetHistory("dependency").First(s => s.IsReady).Timestamp;
        var dependentHistory = notifications.GetHistory("dependent");
        Assert.Equal(
            [KnownResourceState.NotStarted, KnownResourceState.Waiting, KnownResourceState.Starting, KnownResourceState.Running],
            dependentHistory.Select(s => s.State).Distinct());
        Assert.All(dependentHistory.Where(s => s.State >= KnownResourceState.Starting), s => Assert.True(s.Timestamp >= dependencyHealthy));
    }

    [Fact]
    public async Task WaitFor_DependencyExits_DependentNeverStarts()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        var crashing = builder.AddExecutable("crashing", "sh", Path.GetTempPath(), "-c", "echo about to fail; sleep 0.5; exit 4")
            .WithHttpEndpoint(env: "PORT")
            .WithHttpHealthCheck("/health");
        builder.AddTestServer("dependent").WaitFor(crashing);
        await using var app = builder.Build();

        var failure = await Assert.ThrowsAsync<ResourceStartupException>(() => ReferenceAppTesting.StartAsync(app, TimeSpan.FromSeconds(60)));

        Assert.Equal("crashing", failure.ResourceName);
        Assert.Equal(4, failure.ExitCode);
        Assert.Equal(KnownResourceState.Waiting, app.ResourceNotifications.GetSnapshot("dependent").State);
        Assert.Empty(app.ResourceNotifications.GetSnapshot("dependent").ProcessIds);
    }
}
