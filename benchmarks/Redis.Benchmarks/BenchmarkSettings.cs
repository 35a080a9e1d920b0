using System.Globalization;

namespace Reference.Redis.Benchmarks;

internal sealed record BenchmarkSettings(
    int Requests,
    int ValueSize,
    IReadOnlyList<int> Callers,
    string? Server,
    string? Password,
    string RedisServerPath,
    string RedisBenchmarkPath)
{
    public static BenchmarkSettings Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            }

            values[args[i][2..]] = args[i + 1];
        }

        return new BenchmarkSettings(
            int.Parse(values.GetValueOrDefault("requests", "100000"), CultureInfo.InvariantCulture),
            int.Parse(values.GetValueOrDefault("size", "64"), CultureInfo.InvariantCulture),
            [.. values.GetValueOrDefault("callers", "1,64").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture))],
            values.GetValueOrDefault("server"),
            values.GetValueOrDefault("password"),
            values.GetValueOrDefault("redis-server", "redis-server"),
            values.GetValueOrDefault("redis-benchmark", "redis-benchmark"));
    }
}
