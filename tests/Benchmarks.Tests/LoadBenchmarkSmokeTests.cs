using Reference.LoadBenchmark;
using Xunit.Abstractions;

namespace Reference.Benchmarks.Tests;

/// <summary>
/// Keeps the load benchmark working: its smoke mode (the whole system, the JwtBearer peer, a few hundred requests per
/// scenario) must complete every scenario with 200 OK only. No assertion on any timing.
/// </summary>
public sealed class LoadBenchmarkSmokeTests(ITestOutputHelper output)
{
    private static readonly string[] ExpectedScenarios = ["a", "b-rs", "b-es", "c-rs", "c-es", "d", "e", "f", "peer-a", "peer-rs", "peer-es"];

    [Fact]
    public async Task SmokeMode_EveryScenario_CompletesWithOnlyOkResponses()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        var settings = LoadSettings.Smoked();

        var report = await LoadBenchmarkRunner.RunAsync(settings, output.WriteLine, timeout.Token);

        output.WriteLine(report.Markdown);
        Assert.Equal(ExpectedScenarios, report.Results.Select(r => r.Scenario.Id));
        Assert.All(report.Results, r =>
        {
            Assert.True(r.Result.Errors == 0, $"{r.Scenario.Id}: unexpected statuses {string.Join(", ", r.Result.UnexpectedStatuses)}; first: {r.Result.FirstErrorBody}");
            Assert.Equal(settings.SmokeRequests, r.Result.Requests);
        });
        Assert.Contains("| (a) no auth (proxy baseline) |", report.Markdown, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--smoke" }, true, 8)]
    [InlineData(new[] { "--connections", "32" }, false, 32)]
    [InlineData(new[] { "--smoke", "--connections", "4" }, true, 4)]
    public void Parse_Arguments_SelectModeAndConnections(string[] args, bool smoke, int connections)
    {
        var settings = LoadSettings.Parse(args);

        Assert.Equal(smoke, settings.Smoke);
        Assert.Equal(connections, settings.Connections);
    }

    [Fact]
    public void Parse_UnknownArgument_Throws() =>
        Assert.Throws<ArgumentException>(() => LoadSettings.Parse(["--bogus"]));
}
