using System.Diagnostics;
using System.Net;

namespace Reference.LoadBenchmark;

/// <summary>What one request of a scenario carries: its Authorization and Cookie header values (either may be null).</summary>
internal readonly record struct RequestCredentials(string? Authorization, string? Cookie);

/// <summary>The figures of one measured run.</summary>
internal sealed record LoadResult(
    long Requests,
    long Errors,
    IReadOnlyDictionary<int, long> UnexpectedStatuses,
    string? FirstErrorBody,
    TimeSpan Elapsed,
    double P50Ms,
    double P99Ms,
    TimeSpan TargetCpu,
    TimeSpan GeneratorCpu,
    long PeakWorkingSet,
    long FirstWindowPeakWorkingSet,
    long LastWindowPeakWorkingSet)
{
    public double Rps => Requests / Elapsed.TotalSeconds;

    public double TargetCpuPerRequestUs => Requests == 0 ? 0 : TargetCpu.TotalMicroseconds / Requests;

    public double GeneratorCpuPerRequestUs => Requests == 0 ? 0 : GeneratorCpu.TotalMicroseconds / Requests;
}

/// <summary>
/// A closed-loop HTTP/1.1 load generator: <c>connections</c> workers, each with one keep-alive connection, sending the
/// next request when the previous response is read. Runs for a duration, or a fixed number of requests (smoke mode),
/// or until the credential source runs out. Measures latency per request, the target process's CPU time and working
/// set (sampled every 100 ms), and its own CPU time.
/// </summary>
internal sealed class LoadGenerator : IDisposable
{
    private readonly HttpClient _client;
    private readonly int _connections;

    public LoadGenerator(int connections)
    {
        _connections = connections;
        _client = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    /// <summary>Runs one measurement. <paramref name="credentials"/> gets the request's sequence number; null means "no more".</summary>
    public async Task<LoadResult> RunAsync(
        Uri uri, Func<long, RequestCredentials?> credentials, TimeSpan? duration, long? maxRequests, int targetProcessId, CancellationToken cancellationToken)
    {
        using var target = Process.GetProcessById(targetProcessId);
        using var self = Process.GetCurrentProcess();
        var latencies = new List<long>[_connections];
        var statuses = new Dictionary<int, long>[_connections];
        string? firstErrorBody = null;
        var next = -1L;
        var stopAt = duration is { } d ? Stopwatch.GetTimestamp() + (long)(d.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;

        using var sampling = new CancellationTokenSource();
        var samples = new List<(long Timestamp, long WorkingSet)>();
        var sampler = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            do
            {
                target.Refresh();
                samples.Add((Stopwatch.GetTimestamp(), target.WorkingSet64));
            }
            while (await timer.WaitForNextTickAsync(sampling.Token).ConfigureAwait(false));
        }, CancellationToken.None);

        target.Refresh();
        self.Refresh();
        var targetCpuBefore = target.TotalProcessorTime;
        var selfCpuBefore = self.TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        var workers = new Task[_connections];
        for (var w = 0; w < _connections; w++)
        {
            var worker = w;
            latencies[worker] = new List<long>(4096);
            statuses[worker] = [];
            workers[w] = Task.Run(async () =>
            {
                while (!cancellationToken.IsCancellationRequested && Stopwatch.GetTimestamp() < stopAt)
                {
                    var sequence = Interlocked.Increment(ref next);
                    if (maxRequests is { } max && sequence >= max)
                    {
                        return;
                    }

                    if (credentials(sequence) is not { } credential)
                    {
                        return;
                    }

                    using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                    if (credential.Authorization is { } authorization)
                    {
                        request.Headers.TryAddWithoutValidation("Authorization", authorization);
                    }

                    if (credential.Cookie is { } cookie)
                    {
                        request.Headers.TryAddWithoutValidation("Cookie", cookie);
                    }

                    var sent = Stopwatch.GetTimestamp();
                    using var response = await _client.SendAsync(request, cancellationToken).ConfigureAwait(false);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        var code = (int)response.StatusCode;
                        statuses[worker][code] = statuses[worker].GetValueOrDefault(code) + 1;
                        if (firstErrorBody is null)
                        {
                            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                            Interlocked.CompareExchange(ref firstErrorBody, $"{code} {response.Headers.WwwAuthenticate} {body}", null);
                        }
                    }

                    latencies[worker].Add(Stopwatch.GetTimestamp() - sent);
                }
            }, CancellationToken.None);
        }

        await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(started);
        target.Refresh();
        self.Refresh();
        var targetCpu = target.TotalProcessorTime - targetCpuBefore;
        var selfCpu = self.TotalProcessorTime - selfCpuBefore;
        await sampling.CancelAsync();
        try
        {
            await sampler;
        }
        catch (OperationCanceledException)
        {
        }

        var all = latencies.SelectMany(l => l).ToArray();
        Array.Sort(all);
        var unexpected = statuses.SelectMany(s => s).GroupBy(s => s.Key).ToDictionary(g => g.Key, g => g.Sum(s => s.Value));
        var window = (long)(Math.Min(10, elapsed.TotalSeconds / 4) * Stopwatch.Frequency);
        var first = samples.Where(s => s.Timestamp <= started + window).Select(s => s.WorkingSet).DefaultIfEmpty().Max();
        var endTimestamp = started + (long)(elapsed.TotalSeconds * Stopwatch.Frequency);
        var last = samples.Where(s => s.Timestamp >= endTimestamp - window).Select(s => s.WorkingSet).DefaultIfEmpty().Max();
        return new LoadResult(
            all.Length,
            unexpected.Values.Sum(),
            unexpected,
            firstErrorBody,
            elapsed,
            Percentile(all, 0.50),
            Percentile(all, 0.99),
            targetCpu,
            selfCpu,
            samples.Select(s => s.WorkingSet).DefaultIfEmpty().Max(),
            first,
            last);
    }

    public void Dispose() => _client.Dispose();

    private static double Percentile(long[] sorted, double quantile) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * quantile))] * 1000.0 / Stopwatch.Frequency;
}
