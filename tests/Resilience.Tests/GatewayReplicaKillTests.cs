using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using Reference.AppHost.Hosting;
using Reference.AppHost.Testing;
using Reference.Resilience.Tests.Support;
using Xunit.Abstractions;

namespace Reference.Resilience.Tests;

/// <summary>The default model: the gateway (and the IdP) with two replicas behind the AppHost's load balancer.</summary>
public sealed class GatewayReplicaKillFixture : IAsyncLifetime
{
    private ReferenceTestApp? _app;

    public ReferenceTestApp App => _app ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() => _app = await ResilienceSystem.StartAsync(_ => { });

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

/// <summary>
/// One gateway replica killed (SIGKILL) while several clients drive valid and invalid requests through the public,
/// load-balanced endpoint: no invalid request is ever let through, the only failures are requests that were already
/// under way when the replica died (no more than were in flight), and afterwards the surviving replica serves
/// everything.
/// </summary>
public sealed class GatewayReplicaKillTests(GatewayReplicaKillFixture fixture, ITestOutputHelper output) : IClassFixture<GatewayReplicaKillFixture>
{
    private const int ValidClients = 4;
    private const int InvalidClients = 2;
    private const int KilledReplica = 1;
    private const string Path = "/api/orders/whoami";

    [Fact]
    public async Task GatewayReplicaKilledUnderLoad_NothingLetThrough_ErrorsOnlyInFlightAtKill_SurvivorServesAll()
    {
        var app = fixture.App;
        Assert.Equal(2, app.GetResource("gateway").Replicas.Count);
        var token = await ResilienceSystem.GetTokenAsync(app, "demo-client", "orders.read");
        string?[] invalidTokens = [null, "not-a-jwt", Tamper(token)];
        var records = new ConcurrentQueue<RequestRecord>();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, ValidClients).Select(_ => RunClientAsync(app, records, () => token, valid: true, stop.Token))
            .Concat(Enumerable.Range(0, InvalidClients).Select(i => RunClientAsync(app, records, CycleInvalid(invalidTokens, i), valid: false, stop.Token)))
            .ToList();

        // Warm up: both replicas serve, every client has completed requests.
        await ResilienceSystem.WaitUntilAsync(() => Task.FromResult(records.Count(r => r.Valid && r.Status == 200) >= 100 && records.Count(r => !r.Valid) >= 50), TimeSpan.FromSeconds(120), "the load is running");
        Assert.DoesNotContain(records, r => !r.Succeeded);

        var victim = app.GetResource("gateway").Replicas[KilledReplica];
        Assert.True(victim.IsReady, $"replica {KilledReplica} is not ready before the kill: {victim}");
        using var process = Process.GetProcessById(victim.ProcessId!.Value);
        var killedAt = Stopwatch.GetTimestamp();
        process.Kill();
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await app.WaitForResourceAsync("gateway", s => s.Replicas[KilledReplica].State != KnownResourceState.Running, deadline.Token);
        }

        // The load balancer applies each snapshot synchronously, so from here on it no longer routes to the dead replica.
        var detectedAt = Stopwatch.GetTimestamp();
        var afterDetection = records.Count;
        await ResilienceSystem.WaitUntilAsync(
            () => Task.FromResult(records.Skip(afterDetection).Count(r => r.Valid && r.Start > detectedAt) >= 200 && Stopwatch.GetElapsedTime(detectedAt) > TimeSpan.FromSeconds(3)),
            TimeSpan.FromSeconds(120),
            "the load has run on after the kill");
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        var all = records.ToArray();
        var inFlightAtKill = all.Count(r => r.Start < killedAt && r.End > killedAt);
        var failures = all.Where(r => !r.Succeeded).ToArray();
        var after = all.Where(r => r.Start > detectedAt).ToArray();
        output.WriteLine(
            $"requests {all.Length} (valid {all.Count(r => r.Valid)}, invalid {all.Count(r => !r.Valid)}), in flight at the kill {inFlightAtKill}, "
            + $"failures {failures.Length} [{string.Join(", ", failures.Select(f => f.Outcome))}], started after detection {after.Length}, "
            + $"kill→detection {Stopwatch.GetElapsedTime(killedAt, detectedAt).TotalMilliseconds:0} ms");

        Assert.DoesNotContain(all, r => !r.Valid && r.Status is >= 200 and < 300);
        Assert.All(all.Where(r => !r.Valid && r.Status is not null), r => Assert.True(r.Status is 401 or 502 or 503, $"an invalid request got {r.Outcome}"));
        Assert.All(failures, f => Assert.True(f.Start < detectedAt && f.End > killedAt, $"a failure ({f.Outcome}) outside the kill window"));
        Assert.True(failures.Length <= inFlightAtKill, $"{failures.Length} failures but only {inFlightAtKill} requests in flight at the kill");
        Assert.True(after.Count(r => r.Valid) >= 200, "too few valid requests after the kill");
        Assert.All(after, r => Assert.True(r.Succeeded, $"after the kill a {(r.Valid ? "valid" : "invalid")} request got {r.Outcome}"));

        var gateway = app.GetResource("gateway");
        Assert.Equal(KnownResourceState.Running, gateway.State);
        Assert.True(gateway.Replicas[0].IsReady);
        Assert.NotEqual(KnownResourceState.Running, gateway.Replicas[KilledReplica].State);
    }

    private static Func<string?> CycleInvalid(string?[] tokens, int offset)
    {
        var next = offset;
        return () => tokens[next++ % tokens.Length];
    }

    /// <summary>The same header and claims with one signature character changed: a forged token.</summary>
    private static string Tamper(string token)
    {
        var signatureStart = token.LastIndexOf('.') + 1;
        var position = signatureStart + ((token.Length - signatureStart) / 2);
        var replacement = token[position] == 'A' ? 'B' : 'A';
        return string.Concat(token.AsSpan(0, position), replacement.ToString(), token.AsSpan(position + 1));
    }

    private static async Task RunClientAsync(ReferenceTestApp app, ConcurrentQueue<RequestRecord> records, Func<string?> token, bool valid, CancellationToken stop)
    {
        // Its own connections per client, like independent callers of the public endpoint.
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
        {
            BaseAddress = app.GetEndpoint("gateway"),
            Timeout = TimeSpan.FromSeconds(60),
        };
        await Task.Yield();
        while (!stop.IsCancellationRequested)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Path);
            var value = token();
            if (value is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", value);
            }

            var start = Stopwatch.GetTimestamp();
            int? status = null;
            string? error = null;
            try
            {
                using var response = await client.SendAsync(request, CancellationToken.None);
                await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
                status = (int)response.StatusCode;
            }
            catch (HttpRequestException e)
            {
                error = e.HttpRequestError.ToString();
            }

            records.Enqueue(new RequestRecord(valid, start, Stopwatch.GetTimestamp(), status, error));
        }
    }

    private sealed record RequestRecord(bool Valid, long Start, long End, int? Status, string? Error)
    {
        public bool Succeeded => Status == (Valid ? 200 : 401);

        public string Outcome => Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? Error ?? "?";
    }
}
