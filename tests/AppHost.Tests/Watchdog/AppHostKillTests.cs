using System.Diagnostics;
using Reference.AppHost.Tests.Support;

namespace Reference.AppHost.Tests.Watchdog;

public sealed class AppHostKillTests
{
    [Fact]
    public async Task SigKill_RealAppHost_ChildrenExitOnTheirOwn()
    {
        var appHostDll = typeof(DistributedApplication).Assembly.Location;
        var startInfo = new ProcessStartInfo(DotnetHost(), [appHostDll])
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
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(90));
            children = ProcessTree.DescendantsOf([appHost.Id]);

            appHost.Kill();
            await appHost.WaitForExitAsync();
            var orphans = await ProcessTree.WaitUntilGoneAsync(children, TimeSpan.FromSeconds(30));

            Assert.True(children.Count >= 6, $"expected 5 resources and a watchdog, found {children.Count}");
            Assert.Empty(orphans.Select(pid => $"{pid}: {ProcessTree.CommandLine(pid)}"));
        }
        finally
        {
            foreach (var pid in children.Where(ProcessTree.IsAlive))
            {
                Process.GetProcessById(pid).Kill();
            }
        }
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path)
            ? path
            : Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet"));
}
