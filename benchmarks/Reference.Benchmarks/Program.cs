using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// The gateway's fast path next to the raw crypto it cannot beat. A short job (minutes, not hours), in process (no
// generated project to build). Usage:
//   dotnet run -c Release --project benchmarks/Reference.Benchmarks [-- --smoke] [--filter *Jwt*]
// --smoke runs every benchmark once (BenchmarkDotNet's Dry job): a check that they work, not a measurement.
var smoke = args.Contains("--smoke");
var rest = args.Where(a => a != "--smoke").ToList();
if (!rest.Contains("--filter"))
{
    rest.AddRange(["--filter", "*"]);
}

var job = (smoke ? Job.Dry : Job.ShortRun.WithWarmupCount(3).WithIterationCount(5))
    .WithToolchain(InProcessEmitToolchain.Instance);
var config = ManualConfig.Create(DefaultConfig.Instance)
    .AddJob(job)
    .AddDiagnoser(MemoryDiagnoser.Default)
    .WithOptions(ConfigOptions.JoinSummary);
if (smoke)
{
    // The smoke run checks that every benchmark works; it may run a Debug build.
    config = config.WithOptions(ConfigOptions.DisableOptimizationsValidator);
}

var summaries = BenchmarkSwitcher.FromAssembly(typeof(Reference.Benchmarks.JwtValidationBenchmarks).Assembly).Run([.. rest], config);
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
