using Reference.LoadBenchmark;

// The gateway under load, next to stock YARP + JwtBearer, on loopback. One command:
//   dotnet run -c Release --project benchmarks/Reference.LoadBenchmark [-- --smoke] [--connections 64] [--duration 15]
//     [--long-duration 60] [--warmup 4] [--requests 200 (smoke)] [--cold-tokens 40000] [--only a,b-rs,peer] [--output report.md]
// Prints a Markdown table (req/s, p50/p99, CPU per request of the server and of the load generator, peak working set,
// ratios to the no-auth baseline) and the targets. See docs/benchmarks.md.
var settings = LoadSettings.Parse(args);
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var report = await LoadBenchmarkRunner.RunAsync(settings, Console.WriteLine, cancel.Token);
Console.WriteLine();
Console.WriteLine(report.Markdown);
if (settings.Output is { } output)
{
    await File.WriteAllTextAsync(output, report.Markdown);
}

return report.Results.Any(r => r.Result.Errors > 0) ? 1 : 0;
