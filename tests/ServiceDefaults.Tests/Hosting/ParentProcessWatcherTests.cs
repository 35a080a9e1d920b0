using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Reference.ServiceDefaults.Hosting;
using Reference.TestUtilities;

namespace Reference.ServiceDefaults.Tests.Hosting;

public sealed class ParentProcessWatcherTests
{
    [Fact]
    public async Task TryGetStartTime_ProcessAliveThenKilled_ReturnsStartTimeThenNull()
    {
        using var parent = StartSleeper();
        var whileAlive = ParentProcessWatcher.TryGetStartTime(parent.Id);

        parent.Kill();
        await parent.WaitForExitAsync();

        Assert.NotNull(whileAlive);
        Assert.Null(ParentProcessWatcher.TryGetStartTime(parent.Id));
    }

    [Fact]
    public async Task Watcher_ParentKilled_StopsTheApplication()
    {
        using var parent = StartSleeper();
        var clock = new FakeTimeProvider();
        var lifetime = new RecordingLifetime();
        using var watcher = CreateWatcher(parent.Id.ToString(), lifetime, clock);
        await watcher.StartAsync(CancellationToken.None);

        clock.Advance(TimeSpan.FromSeconds(1));
        var stoppedWhileAlive = lifetime.Stopped.Task.IsCompleted;
        parent.Kill();
        await parent.WaitForExitAsync();
        for (var i = 0; i < 200 && !lifetime.Stopped.Task.IsCompleted; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(25);
        }

        Assert.False(stoppedWhileAlive);
        Assert.True(lifetime.Stopped.Task.IsCompleted);
        await watcher.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Watcher_ParentAlreadyGone_StopsAtOnce()
    {
        using var parent = StartSleeper();
        parent.Kill();
        await parent.WaitForExitAsync();
        var lifetime = new RecordingLifetime();
        using var watcher = CreateWatcher(parent.Id.ToString(), lifetime, new FakeTimeProvider());

        await watcher.StartAsync(CancellationToken.None);
        await watcher.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(lifetime.Stopped.Task.IsCompleted);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-pid")]
    public async Task Watcher_NoAppHostPid_DoesNothing(string? value)
    {
        var lifetime = new RecordingLifetime();
        using var watcher = CreateWatcher(value, lifetime, new FakeTimeProvider());

        await watcher.StartAsync(CancellationToken.None);
        await watcher.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(lifetime.Stopped.Task.IsCompleted);
    }

    private static ParentProcessWatcher CreateWatcher(string? pid, IHostApplicationLifetime lifetime, TimeProvider clock)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [ParentProcessWatcher.PidVariable] = pid })
            .Build();
        return new ParentProcessWatcher(configuration, lifetime, clock, NullLogger<ParentProcessWatcher>.Instance);
    }

    private static Process StartSleeper() =>
        Process.Start(new ProcessStartInfo("sleep", ["60"]) { UseShellExecute = false })!;

    private sealed class RecordingLifetime : IHostApplicationLifetime
    {
        public TaskCompletionSource Stopped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => Stopped.TrySetResult();
    }
}
