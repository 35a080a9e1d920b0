using System.Diagnostics;
using Reference.AppHost.Hosting.Orchestration;
using Reference.AppHost.Publishing;
using Reference.AppHost.Testing;

namespace Reference.AppHost.Tests.Publishing;

/// <summary>The <c>publish</c> command line: arguments, exit codes, messages and what ends up on disk.</summary>
public sealed class PublishCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("reference-publish-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData(new[] { "--output", "OUT", "--bogus" }, "unknown option '--bogus'")]
    [InlineData(new[] { "--output" }, "option --output needs a value")]
    [InlineData(new[] { "--output", "--domain", "x.org" }, "option --output needs a value")]
    [InlineData(new[] { "--output=" }, "option --output needs a value")]
    [InlineData(new[] { "stray", "--output", "OUT" }, "unexpected argument 'stray'")]
    [InlineData(new[] { "--output", "OUT", "--domain", "not a/domain" }, "--domain must be a DNS name")]
    public async Task Run_BadArguments_ExitsWithUsageErrorOnStderrAndWritesNothing(string[] arguments, string message)
    {
        var output = Path.Combine(_root, "out");
        var (exitCode, stdout, stderr) = await RunAsync(EmptyModel(), [.. arguments.Select(a => a.Replace("OUT", output, StringComparison.Ordinal))]);

        Assert.Equal(PublishCommand.UsageError, exitCode);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Empty(stdout);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public async Task Run_NoOutputOption_ExitsWithUsageError()
    {
        var (exitCode, stdout, stderr) = await RunAsync(EmptyModel(), []);

        Assert.Equal(PublishCommand.UsageError, exitCode);
        Assert.Contains("missing required option --output", stderr, StringComparison.Ordinal);
        Assert.Empty(stdout);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Run_Help_PrintsUsageAndSucceeds(string argument)
    {
        var (exitCode, stdout, stderr) = await RunAsync(EmptyModel(), [argument]);

        Assert.Equal(PublishCommand.Success, exitCode);
        Assert.Contains("--output <dir>", stdout, StringComparison.Ordinal);
        Assert.Empty(stderr);
    }

    [Fact]
    public async Task Run_OutputBelowAFile_FailsWithCannotWriteAndLeavesNoStagingBehind()
    {
        var file = Path.Combine(_root, "a-file");
        await File.WriteAllTextAsync(file, "x");

        var (exitCode, _, stderr) = await RunAsync(ValidModel(), ["--output", Path.Combine(file, "manifests")]);

        Assert.Equal(PublishCommand.Failure, exitCode);
        Assert.Contains("cannot write to", stderr, StringComparison.Ordinal);
        Assert.Equal(new[] { "a-file" }, Directory.GetFileSystemEntries(_root).Select(p => Path.GetFileName(p)));
    }

    [Fact]
    public async Task Run_OutputIsAFile_FailsWithCannotWrite()
    {
        var file = Path.Combine(_root, "a-file");
        await File.WriteAllTextAsync(file, "x");

        var (exitCode, _, stderr) = await RunAsync(ValidModel(), ["--output", file]);

        Assert.Equal(PublishCommand.Failure, exitCode);
        Assert.Contains("is a file, not a directory", stderr, StringComparison.Ordinal);
        Assert.Equal("x", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task Run_ValidModel_WritesBaseAndOverlayAndNoStagingDirectory()
    {
        var output = Path.Combine(_root, "out");

        var (exitCode, stdout, stderr) = await RunAsync(ValidModel(), ["-o", output, "--domain", "reference.example.org"]);

        Assert.Equal(PublishCommand.Success, exitCode);
        Assert.Empty(stderr);
        Assert.Contains("base/gateway.yaml", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "base", "kustomization.yaml")));
        Assert.True(File.Exists(Path.Combine(output, "overlays", "production", "kustomization.yaml")));
        Assert.Contains("gateway.reference.example.org", await File.ReadAllTextAsync(Path.Combine(output, "base", "gateway.yaml")), StringComparison.Ordinal);
        Assert.Equal(new[] { "base", "overlays" }, Directory.GetFileSystemEntries(output).Select(p => Path.GetFileName(p)).Order());
    }

    [Fact]
    public async Task Run_Again_RegeneratesBaseButKeepsTheEditedOverlay()
    {
        var output = Path.Combine(_root, "out");
        Assert.Equal(PublishCommand.Success, (await RunAsync(ValidModel(), ["--output", output])).ExitCode);
        var overlay = Path.Combine(output, "overlays", "production", "kustomization.yaml");
        await File.WriteAllTextAsync(overlay, "# edited by the operator\n");
        var stale = Path.Combine(output, "base", "stale.yaml");
        await File.WriteAllTextAsync(stale, "kind: Stale\n");

        var (exitCode, stdout, _) = await RunAsync(ValidModel(), ["--output", output]);

        Assert.Equal(PublishCommand.Success, exitCode);
        Assert.Equal("# edited by the operator\n", await File.ReadAllTextAsync(overlay));
        Assert.False(File.Exists(stale));
        Assert.Contains("kept the existing overlays/production", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ModelThatCannotBeDeployedSecurely_FailsAndLeavesThePreviousOutputUntouched()
    {
        var output = Path.Combine(_root, "out");
        Assert.Equal(PublishCommand.Success, (await RunAsync(ValidModel(), ["--output", output])).ExitCode);
        var before = await File.ReadAllTextAsync(Path.Combine(output, "base", "orders.yaml"));
        var builder = ReferenceAppTesting.CreateBuilder();
        var gateway = builder.AddProject<Projects.Gateway>("gateway");
        var orders = builder.AddProject<Projects.Orders_Api>("orders").WithReference(gateway);
        var inventory = builder.AddProject<Projects.Inventory_Api>("inventory").WithReference(orders);
        gateway.WithReference(orders);
        inventory.WithReference(orders);

        var (exitCode, _, stderr) = await RunAsync(builder.Build(), ["--output", output]);

        Assert.Equal(PublishCommand.Failure, exitCode);
        Assert.Contains("the model cannot be published", stderr, StringComparison.Ordinal);
        Assert.Contains("would also admit inventory", stderr, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllTextAsync(Path.Combine(output, "base", "orders.yaml")));
        Assert.Equal(new[] { "base", "overlays" }, Directory.GetFileSystemEntries(output).Select(p => Path.GetFileName(p)).Order());
    }

    [Fact]
    public async Task AppHost_PublishCommandLine_WritesManifestsWithoutStartingAnythingAndRejectsBadOptions()
    {
        var output = Path.Combine(_root, "cli");

        var ok = await RunAppHostAsync("publish", "--output", output);
        var bad = await RunAppHostAsync("publish", "--output", output, "--frobnicate");

        Assert.True(ok.ExitCode == 0, ok.Stderr);
        Assert.Contains("wrote", ok.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "base", "identity.yaml")));
        Assert.DoesNotContain("Dashboard", ok.Stdout, StringComparison.Ordinal);
        Assert.Equal(PublishCommand.UsageError, bad.ExitCode);
        Assert.Contains("unknown option '--frobnicate'", bad.Stderr, StringComparison.Ordinal);
    }

    private static DistributedApplication EmptyModel() => ReferenceAppTesting.CreateBuilder().Build();

    private static DistributedApplication ValidModel()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        var gateway = builder.AddProject<Projects.Gateway>("gateway").WithExternalHttpEndpoints();
        var orders = builder.AddProject<Projects.Orders_Api>("orders").WithReference(gateway);
        gateway.WithReference(orders);
        return builder.Build();
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(DistributedApplication application, string[] arguments)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await PublishCommand.RunAsync(application, arguments, stdout, stderr);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAppHostAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(ExecutableLocator.DotnetHostPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(typeof(DistributedApplication).Assembly.Location);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
