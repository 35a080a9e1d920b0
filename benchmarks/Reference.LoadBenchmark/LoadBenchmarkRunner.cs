using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Reference.LoadBenchmark;

/// <summary>One scenario: where it sends requests, with which credentials, and what it compares with.</summary>
internal sealed record Scenario(string Id, string Title, bool Peer, string Path, Func<long, RequestCredentials?> Credentials, Func<long, RequestCredentials?> WarmupCredentials)
{
    public bool Long { get; init; }
}

internal sealed record ScenarioResult(Scenario Scenario, LoadResult Result);

internal sealed record BenchmarkReport(IReadOnlyList<ScenarioResult> Results, CryptoFloor Floor, string Markdown);

/// <summary>
/// Starts the system, measures the crypto floor, runs every scenario against the gateway and the JwtBearer peer, and
/// renders the Markdown report (figures, ratios to (a), and the issue's targets).
/// </summary>
internal static class LoadBenchmarkRunner
{
    public static async Task<BenchmarkReport> RunAsync(LoadSettings settings, Action<string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        var loadBefore = LoadAverage();
        await using var system = await BenchmarkSystem.StartAsync(log, cancellationToken);
        var keys = system.Keys;

        log("Preparing credentials...");
        var hotRs = keys.CreateTokens("RS256", settings.HotTokens, "hot-rs-");
        var hotEs = keys.CreateTokens("ES256", settings.HotTokens, "hot-es-");
        var floor = CryptoFloor.Measure(keys, hotRs[0], hotEs[0], settings.Smoke ? 50 : 1000);
        log(string.Create(CultureInfo.InvariantCulture,
            $"Crypto floor (1 core): RS256 verify {floor.Rs256VerifyUs:F1} µs, ES256 verify {floor.Es256VerifyUs:F1} µs, ES256 sign {floor.Es256SignUs:F1} µs, SHA-256 of a token {floor.Sha256TokenUs:F2} µs"));
        var referenceTokens = await system.GetIdpTokensAsync("demo-reference", settings.IdpTokens, cancellationToken);
        var idpTokens = await system.GetIdpTokensAsync("demo-client", settings.IdpTokens, cancellationToken);
        var sessionCookie = await system.LogInToBffAsync(cancellationToken);

        var scenarios = new List<Scenario>
        {
            new("a", "(a) no auth (proxy baseline)", false, "/bench/anon", _ => new RequestCredentials(null, null), _ => new RequestCredentials(null, null)),
            new("b-rs", "(b) JWT RS256 + internal token, 1,000 hot tokens", false, "/bench/jwt", Cycle(hotRs), Cycle(hotRs)) { Long = true },
            new("b-es", "(b) JWT ES256 + internal token, 1,000 hot tokens", false, "/bench/jwt", Cycle(hotEs), Cycle(hotEs)),
            new("c-rs", "(c) JWT RS256, fresh token every request (cold)", false, "/bench/jwt", null!, null!),
            new("c-es", "(c) JWT ES256, fresh token every request (cold)", false, "/bench/jwt", null!, null!),
            new("d", "(d) introspection, warm cache", false, "/bench/opaque", Cycle(referenceTokens), Cycle(referenceTokens)),
            new("e", "(e) cookie session", false, "/bench/session", _ => new RequestCredentials(null, sessionCookie), _ => new RequestCredentials(null, sessionCookie)),
            new("f", "(f) token exchange, warm cache", false, "/bench/exchange", Cycle(idpTokens), Cycle(idpTokens)),
            new("peer-a", "peer: YARP, no auth", true, "/bench/anon", _ => new RequestCredentials(null, null), _ => new RequestCredentials(null, null)),
            new("peer-rs", "peer: YARP + JwtBearer, RS256, same 1,000 tokens", true, "/bench/jwt", Cycle(hotRs), Cycle(hotRs)),
            new("peer-es", "peer: YARP + JwtBearer, ES256, same 1,000 tokens", true, "/bench/jwt", Cycle(hotEs), Cycle(hotEs)),
        };
        if (settings.Only.Count > 0)
        {
            scenarios.RemoveAll(s => !settings.Only.Any(prefix => s.Id.StartsWith(prefix, StringComparison.Ordinal)));
        }

        using var generator = new LoadGenerator(settings.Connections);
        if (!settings.Smoke && settings.Warmup > TimeSpan.Zero)
        {
            // The first scenario would otherwise pay for the whole system's JIT and tiering (and the downstream's):
            // warm every route of both proxies before anything is measured.
            log("Warming up every route...");
            foreach (var scenario in scenarios.Where(s => !s.Id.StartsWith("c-", StringComparison.Ordinal)))
            {
                var target = scenario.Peer ? system.PeerUri : system.GatewayUri;
                await generator.RunAsync(new Uri(target, scenario.Path), scenario.WarmupCredentials, settings.Warmup, null, scenario.Peer ? system.PeerProcessId : system.GatewayProcessId, cancellationToken);
            }
        }

        if (!settings.Smoke && scenarios.FirstOrDefault(s => s.Id == "a") is { } baseline)
        {
            // (a) again at the end: how much the machine drifted during the run (other load, thermal).
            scenarios.Add(baseline with { Id = "a-end", Title = "(a) no auth, again at the end (drift check)" });
        }

        var results = new List<ScenarioResult>();
        foreach (var declared in scenarios)
        {
            var scenario = declared;
            if (scenario.Id.StartsWith("c-", StringComparison.Ordinal))
            {
                // Fresh tokens, signed before the run (never reused): the warm-up gets its own.
                var algorithm = scenario.Id == "c-rs" ? "RS256" : "ES256";
                log($"Signing {settings.ColdTokens:N0} fresh {algorithm} tokens for {scenario.Id}...");
                var cold = keys.CreateTokens(algorithm, settings.ColdTokens, $"cold-{algorithm}-");
                var warm = settings.Warmup > TimeSpan.Zero ? keys.CreateTokens(algorithm, 2000, $"warm-{algorithm}-") : [];
                scenario = scenario with { Credentials = Once(cold), WarmupCredentials = Once(warm) };
            }

            var uri = new Uri(scenario.Peer ? system.PeerUri : system.GatewayUri, scenario.Path);
            var pid = scenario.Peer ? system.PeerProcessId : system.GatewayProcessId;
            if (settings.Warmup > TimeSpan.Zero)
            {
                await generator.RunAsync(uri, scenario.WarmupCredentials, settings.Warmup, null, pid, cancellationToken);
            }

            log($"Running {scenario.Id}: {scenario.Title}...");
            var result = settings.Smoke
                ? await generator.RunAsync(uri, scenario.Credentials, null, settings.SmokeRequests, pid, cancellationToken)
                : await generator.RunAsync(uri, scenario.Credentials, scenario.Long ? settings.LongDuration : settings.Duration, null, pid, cancellationToken);
            log(string.Create(CultureInfo.InvariantCulture,
                $"  {result.Requests:N0} requests, {result.Errors} errors, {result.Rps:N0} req/s, p50 {result.P50Ms:F2} ms, p99 {result.P99Ms:F2} ms, {result.TargetCpuPerRequestUs:F0} µs CPU/req"));
            if (result.Errors > 0)
            {
                log($"  unexpected statuses: {string.Join(", ", result.UnexpectedStatuses.Select(s => $"{s.Key} x{s.Value}"))}; first: {result.FirstErrorBody}");
            }

            results.Add(new ScenarioResult(scenario, result));
        }

        var markdown = Render(settings, results, floor, loadBefore, LoadAverage());
        return new BenchmarkReport(results, floor, markdown);
    }

    private static Func<long, RequestCredentials?> Cycle(string[] tokens) =>
        sequence => new RequestCredentials("Bearer " + tokens[sequence % tokens.Length], null);

    private static Func<long, RequestCredentials?> Once(string[] tokens)
    {
        var headers = tokens.Select(t => "Bearer " + t).ToArray();
        return sequence => sequence < headers.Length ? new RequestCredentials(headers[sequence], null) : null;
    }

    private static string Render(LoadSettings settings, List<ScenarioResult> results, CryptoFloor floor, string loadBefore, string loadAfter)
    {
        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        md.AppendLine(inv, $"Machine: {Environment.ProcessorCount} cores ({CpuModel()}), {RuntimeInformation.OSDescription}, .NET {Environment.Version}; load average before {loadBefore}, after {loadAfter}.");
        md.AppendLine(inv, $"Mode: {(settings.Smoke ? $"smoke ({settings.SmokeRequests} requests per scenario)" : $"{settings.Duration.TotalSeconds:0} s per scenario ((b) RS256: {settings.LongDuration.TotalSeconds:0} s) after {settings.Warmup.TotalSeconds:0} s warm-up")}, {settings.Connections} connections, HTTP/1.1 keep-alive on loopback.");
        md.AppendLine(inv, $"Crypto floor (median, 1 core): RS256 verify {floor.Rs256VerifyUs:F1} µs · ES256 verify {floor.Es256VerifyUs:F1} µs · ES256 sign {floor.Es256SignUs:F1} µs · SHA-256 of a token {floor.Sha256TokenUs:F2} µs.");
        md.AppendLine();
        md.AppendLine("| scenario | requests | errors | req/s | p50 ms | p99 ms | CPU µs/req (server) | CPU µs/req (load gen.) | peak WS MB | req/s ÷ (a) |");
        md.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        var a = results.FirstOrDefault(r => r.Scenario.Id == "a")?.Result;
        var peerA = results.FirstOrDefault(r => r.Scenario.Id == "peer-a")?.Result;
        foreach (var (scenario, r) in results)
        {
            var baseline = scenario.Peer ? peerA : a;
            var ratio = baseline is null || baseline.Rps == 0 ? "n/a" : (r.Rps / baseline.Rps).ToString("F2", inv) + (scenario.Peer ? " (of peer a)" : "");
            md.AppendLine(inv, $"| {scenario.Title} | {r.Requests:N0} | {r.Errors} | {r.Rps:N0} | {r.P50Ms:F2} | {r.P99Ms:F2} | {r.TargetCpuPerRequestUs:F0} | {r.GeneratorCpuPerRequestUs:F0} | {r.PeakWorkingSet / 1048576.0:F0} | {ratio} |");
        }

        if (settings.Smoke)
        {
            return md.ToString();
        }

        md.AppendLine();
        md.AppendLine("| target (issue 9) | measured | met |");
        md.AppendLine("|---|---|:-:|");
        var get = (string id) => results.FirstOrDefault(r => r.Scenario.Id == id)?.Result;
        void Target(string name, string measured, bool? met) => md.AppendLine(inv, $"| {name} | {measured} | {(met is null ? "n/a" : met.Value ? "yes" : "**no**")} |");
        foreach (var (id, alg) in new[] { ("b-rs", "RS256"), ("b-es", "ES256") })
        {
            var b = get(id);
            var peer = get(alg == "RS256" ? "peer-rs" : "peer-es");
            var want = alg == "RS256" ? 1.25 : 1.8;
            if (b is not null && a is not null)
            {
                Target($"(b) {alg} ≥ 0.85 × (a) req/s", $"{b.Rps / a.Rps:F2} ×", b.Rps >= 0.85 * a.Rps);
                Target($"(b) {alg} p99 ≤ (a) p99 + 1 ms", $"{b.P99Ms:F2} ms vs {a.P99Ms:F2} + 1 ms", b.P99Ms <= a.P99Ms + 1);
            }

            if (b is not null && peer is not null)
            {
                Target($"(b) {alg} ≥ {want} × JwtBearer peer req/s", $"{b.Rps / peer.Rps:F2} ×", b.Rps >= want * peer.Rps);
            }
        }

        foreach (var (id, verify) in new[] { ("c-rs", floor.Rs256VerifyUs), ("c-es", floor.Es256VerifyUs) })
        {
            if (get(id) is { } c && a is not null)
            {
                var limit = a.TargetCpuPerRequestUs + 1.3 * (verify + floor.Es256SignUs);
                Target($"({id}) CPU/req ≤ (a) + 1.3 × (verify + ES256 sign)", $"{c.TargetCpuPerRequestUs:F0} µs vs {limit:F0} µs", c.TargetCpuPerRequestUs <= limit);
            }
        }

        foreach (var id in new[] { "d", "e", "f" })
        {
            if (get(id) is { } r && a is not null)
            {
                Target($"({id}) ≥ 0.7 × (a) req/s", $"{r.Rps / a.Rps:F2} ×", r.Rps >= 0.7 * a.Rps);
            }
        }

        if (results.FirstOrDefault(r => r.Scenario.Long) is { } longRun)
        {
            var r = longRun.Result;
            var flat = r.LastWindowPeakWorkingSet <= r.FirstWindowPeakWorkingSet * 1.10;
            Target(
                $"gateway working set under (b) ≤ 250 MB, flat over {r.Elapsed.TotalSeconds:0} s",
                $"peak {r.PeakWorkingSet / 1048576.0:F0} MB; first 10 s {r.FirstWindowPeakWorkingSet / 1048576.0:F0} MB, last 10 s {r.LastWindowPeakWorkingSet / 1048576.0:F0} MB",
                r.PeakWorkingSet <= 250L * 1048576 && flat);
        }

        return md.ToString();
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }

}
