using System.Diagnostics;
using Reference.AppHost.Hosting.Orchestration;
using Reference.AppHost.Tests.Support;

namespace Reference.AppHost.Tests.Watchdog;

/// <summary>Runs the real AppHost executable (the full model) as a child process and signals it.</summary>
public sealed class AppHostKillTests
{
    [Theory]
    [InlineData(ProcessSignals.SigKill)]
    [InlineData(ProcessSignals.SigTerm)]
    public async Task Signal_RealAppHost_LeavesNoOrphans(int signal)
    {
        var appHostDll = typeof(DistributedApplication).Assembly.Location;
        var startInfo = new ProcessStartInfo(ExecutableLocator.DotnetHostPath, [appHostDll])
        {
            WorkingDirectory = Path.GetDirectoryName(appHostDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var appHost = Process.Start(startInfo)!;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        appHost.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Dev-only demo client", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        appHost.BeginOutputReadLine();
        appHost.BeginErrorReadLine();
        IReadOnlyList<int> children = [];
        try
        {
            // The full model (2 IdP and 2 gateway replicas) on a loaded 2-core machine: a generous readiness bound, not a timing assertion.
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(180));
            children = ProcessTree.DescendantsOf([appHost.Id]);

            Assert.True(ProcessSignals.Send(appHost.Id, signal));
            await appHost.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            var orphans = await ProcessTree.WaitUntilGoneAsync(children, TimeSpan.FromSeconds(30));

            Assert.True(children.Count >= 8, $"expected 7 processes (2 IdP and 2 gateway replicas) and a watchdog, found {children.Count}");
            Assert.Empty(orphans.Select(pid => $"{pid}: {ProcessTree.CommandLine(pid)}"));
            Assert.Equal(signal == ProcessSignals.SigKill ? 137 : 0, appHost.ExitCode);
        }
        finally
        {
            if (!appHost.HasExited)
            {
                appHost.Kill(entireProcessTree: true);
            }

            foreach (var pid in children.Where(ProcessTree.IsAlive))
            {
                Process.GetProcessById(pid).Kill();
            }
        }
    }
}
