using System.Globalization;

namespace Reference.LoadBenchmark;

/// <summary>
/// How the load benchmark runs. Full mode: a warm-up then a fixed duration per scenario at <see cref="Connections"/>
/// connections. Smoke mode (<c>--smoke</c>, what CI runs): a few hundred requests per scenario, no warm-up, no timing.
/// </summary>
internal sealed record LoadSettings
{
    public bool Smoke { get; init; }

    public int Connections { get; init; } = 64;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The (b) RS256 run is longer: the gateway's working set must stay flat over it.</summary>
    public TimeSpan LongDuration { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Smoke mode: requests per scenario.</summary>
    public int SmokeRequests { get; init; } = 200;

    /// <summary>Distinct hot tokens of scenario (b).</summary>
    public int HotTokens { get; init; } = 1000;

    /// <summary>Distinct tokens for the introspection and exchange scenarios (each costs one IdP round trip to obtain).</summary>
    public int IdpTokens { get; init; } = 50;

    /// <summary>Pre-signed fresh tokens for the cold scenarios (a run stops early when they run out).</summary>
    public int ColdTokens { get; init; } = 40_000;

    /// <summary>Only scenarios whose id starts with one of these (empty: all).</summary>
    public IReadOnlyList<string> Only { get; init; } = [];

    /// <summary>Where the Markdown report is also written (null: stdout only).</summary>
    public string? Output { get; init; }

    public static LoadSettings Smoked() => new()
    {
        Smoke = true,
        Connections = 8,
        Warmup = TimeSpan.Zero,
        HotTokens = 50,
        IdpTokens = 5,
        ColdTokens = 200,
    };

    public static LoadSettings Parse(string[] args)
    {
        var settings = args.Contains("--smoke") ? Smoked() : new LoadSettings();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--smoke":
                    break;
                case "--connections":
                    settings = settings with { Connections = int.Parse(Next(), CultureInfo.InvariantCulture) };
                    break;
                case "--duration":
                    settings = settings with { Duration = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) };
                    break;
                case "--long-duration":
                    settings = settings with { LongDuration = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) };
                    break;
                case "--warmup":
                    settings = settings with { Warmup = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) };
                    break;
                case "--requests":
                    settings = settings with { SmokeRequests = int.Parse(Next(), CultureInfo.InvariantCulture) };
                    break;
                case "--cold-tokens":
                    settings = settings with { ColdTokens = int.Parse(Next(), CultureInfo.InvariantCulture) };
                    break;
                case "--only":
                    settings = settings with { Only = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) };
                    break;
                case "--output":
                    settings = settings with { Output = Next() };
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'. See Program.cs for the options.");
            }
        }

        return settings;
    }
}
