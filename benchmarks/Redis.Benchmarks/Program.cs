using Reference.Redis.Benchmarks;

// GET/SET throughput and latency of Reference.Redis next to redis-benchmark, same server, same settings.
// Usage: dotnet run -c Release --project benchmarks/Redis.Benchmarks -- [--requests N] [--size BYTES]
//        [--callers 1,64] [--server host:port] [--password PW] [--redis-server PATH] [--redis-benchmark PATH]
var settings = BenchmarkSettings.Parse(args);
return await BenchmarkRunner.RunAsync(settings);
