using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Reference.Redis.Benchmarks;

internal static class BenchmarkRunner
{
    // redis-benchmark's own key when no -r is given: both tools hit the same single key.
    private const string Key = "key:__rand_int__";

    public static async Task<int> RunAsync(BenchmarkSettings settings)
    {
        Process? server = null;
        var endPoint = settings.Server;
        var password = settings.Password;
        if (endPoint is null)
        {
            var port = FreePort();
            password = "bench-" + Guid.NewGuid().ToString("N");
            server = StartRedis(settings.RedisServerPath, port, password);
            endPoint = $"127.0.0.1:{port}";
            await WaitForPortAsync(port);
        }

        try
        {
            var connectionString = $"{endPoint},abortConnect=false,syncTimeout=10000" + (password is null ? string.Empty : $",password={password}");
            var options = RedisConnectionOptions.Parse(connectionString);
            Console.WriteLine($"Server {options.EndPoint}; {settings.Requests:N0} requests per run; {settings.ValueSize}-byte values; {Environment.ProcessorCount} cores; .NET {Environment.Version}");
            if (File.Exists("/proc/loadavg"))
            {
                Console.WriteLine($"Load average before the run: {(await File.ReadAllTextAsync("/proc/loadavg")).Trim()}");
            }

            Console.WriteLine();

            var rows = new List<Row>();
            await using var client = new RedisClient(options);
            await client.PingAsync();
            var value = new byte[settings.ValueSize];
            Array.Fill(value, (byte)'x');
            foreach (var callers in settings.Callers)
            {
                var ours = new Dictionary<string, Measurement>
                {
                    ["SET"] = await MeasureAsync(settings.Requests, callers, () => client.SetAsync(Key, value)),
                    ["GET"] = await MeasureAsync(settings.Requests, callers, () => client.GetAsync(Key)),
                };
                var theirs = RunRedisBenchmark(settings, options, password, callers);
                foreach (var operation in new[] { "SET", "GET" })
                {
                    rows.Add(new Row(operation, callers, ours[operation], theirs.GetValueOrDefault(operation)));
                }
            }

            Print(rows);
            return 0;
        }
        finally
        {
            if (server is not null)
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
                server.Dispose();
            }
        }
    }

    private static async Task<Measurement> MeasureAsync<T>(int requests, int callers, Func<Task<T>> operation)
    {
        // Warm-up: JIT, tiering, connection buffers.
        await RunCallersAsync(Math.Max(1000, requests / 10), callers, operation, null);
        var latencies = new long[requests];
        var stopwatch = Stopwatch.StartNew();
        await RunCallersAsync(requests, callers, operation, latencies);
        stopwatch.Stop();
        Array.Sort(latencies);
        return new Measurement(
            requests / stopwatch.Elapsed.TotalSeconds,
            TicksToMs(latencies[(int)(latencies.Length * 0.50)]),
            TicksToMs(latencies[Math.Min(latencies.Length - 1, (int)(latencies.Length * 0.99))]));
    }

    private static async Task RunCallersAsync<T>(int requests, int callers, Func<Task<T>> operation, long[]? latencies)
    {
        var next = -1;
        var tasks = new Task[callers];
        for (var c = 0; c < callers; c++)
        {
            tasks[c] = Task.Run(async () =>
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < requests)
                {
                    var started = Stopwatch.GetTimestamp();
                    await operation();
                    if (latencies is not null)
                    {
                        latencies[index] = Stopwatch.GetTimestamp() - started;
                    }
                }
            });
        }

        await Task.WhenAll(tasks);
    }

    private static Dictionary<string, Measurement> RunRedisBenchmark(BenchmarkSettings settings, RedisConnectionOptions options, string? password, int callers)
    {
        var startInfo = new ProcessStartInfo(settings.RedisBenchmarkPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "-h", options.Host, "-p", options.Port.ToString(CultureInfo.InvariantCulture),
            "-t", "set,get", "-n", settings.Requests.ToString(CultureInfo.InvariantCulture),
            "-c", callers.ToString(CultureInfo.InvariantCulture), "-P", "1",
            "-d", settings.ValueSize.ToString(CultureInfo.InvariantCulture), "--csv",
        })
        {
            startInfo.ArgumentList.Add(arg);
        }

        if (password is not null)
        {
            startInfo.ArgumentList.Add("-a");
            startInfo.ArgumentList.Add(password);
        }

        var results = new Dictionary<string, Measurement>(StringComparer.Ordinal);
        try
        {
            using var process = Process.Start(startInfo)!;
            var output = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();

            // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var fields = line.Split(',').Select(f => f.Trim('"')).ToArray();
                if (fields.Length >= 7 && fields[0] is "SET" or "GET")
                {
                    results[fields[0]] = new Measurement(
                        double.Parse(fields[1], CultureInfo.InvariantCulture),
                        double.Parse(fields[4], CultureInfo.InvariantCulture),
                        double.Parse(fields[6], CultureInfo.InvariantCulture));
                }
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Console.WriteLine($"redis-benchmark not found ('{settings.RedisBenchmarkPath}'); install redis-tools. Only this client's figures are shown.");
        }

        return results;
    }

    private static void Print(List<Row> rows)
    {
        Console.WriteLine("| op  | callers | Reference.Redis req/s | p50 ms | p99 ms | redis-benchmark req/s | p50 ms | p99 ms | ratio |");
        Console.WriteLine("|-----|--------:|----------------------:|-------:|-------:|----------------------:|-------:|-------:|------:|");
        foreach (var row in rows)
        {
            var theirs = row.Theirs;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {row.Operation} | {row.Callers,7} | {row.Ours.Throughput,21:N0} | {row.Ours.P50,6:F3} | {row.Ours.P99,6:F3} | {(theirs is null ? "n/a" : theirs.Throughput.ToString("N0", CultureInfo.InvariantCulture)),21} | {(theirs is null ? "n/a" : theirs.P50.ToString("F3", CultureInfo.InvariantCulture)),6} | {(theirs is null ? "n/a" : theirs.P99.ToString("F3", CultureInfo.InvariantCulture)),6} | {(theirs is null ? "n/a" : (row.Ours.Throughput / theirs.Throughput).ToString("F2", CultureInfo.InvariantCulture)),5} |"));
        }
    }

    private static Process StartRedis(string path, int port, string password)
    {
        var startInfo = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--requirepass", password, "--save", string.Empty, "--appendonly", "no", "--loglevel", "warning" })
        {
            startInfo.ArgumentList.Add(arg);
        }

        return Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start redis-server.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForPortAsync(int port)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException($"redis-server did not listen on port {port}.");
    }

    private static double TicksToMs(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private sealed record Measurement(double Throughput, double P50, double P99);

    private sealed record Row(string Operation, int Callers, Measurement Ours, Measurement? Theirs);
}
