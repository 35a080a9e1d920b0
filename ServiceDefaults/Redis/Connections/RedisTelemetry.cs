using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Reference.Redis.Connections;

/// <summary>The client's ActivitySource and Meter (names in <see cref="RedisInstrumentation"/>).</summary>
internal static class RedisTelemetry
{
    public static readonly ActivitySource ActivitySource = new(RedisInstrumentation.ActivitySourceName);

    private static readonly Meter Meter = new(RedisInstrumentation.MeterName);

    private static readonly ConcurrentDictionary<RedisMultiplexer, byte> Multiplexers = new();

    public static readonly Histogram<double> CommandDuration = Meter.CreateHistogram(
        RedisInstrumentation.CommandDurationMetric,
        unit: "s",
        description: "Duration of Redis commands, from the call to its reply.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });

    public static readonly Counter<long> CommandErrors = Meter.CreateCounter<long>(
        RedisInstrumentation.CommandErrorsMetric, unit: "{command}", description: "Redis commands that failed.");

    public static readonly Counter<long> Reconnects = Meter.CreateCounter<long>(
        RedisInstrumentation.ReconnectsMetric, unit: "{connection}", description: "Redis connections re-established after a loss.");

    static RedisTelemetry()
    {
        Meter.CreateObservableUpDownCounter(
            RedisInstrumentation.BacklogLengthMetric,
            ObserveBacklog,
            unit: "{command}",
            description: "Redis commands waiting to be written (the backlog while disconnected).");
    }

    public static void Register(RedisMultiplexer multiplexer) => Multiplexers.TryAdd(multiplexer, 0);

    public static void Unregister(RedisMultiplexer multiplexer) => Multiplexers.TryRemove(multiplexer, out _);

    public static Activity? StartCommand(string command, string host, int port, int database)
    {
        var activity = ActivitySource.StartActivity(command, ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("db.system", "redis");
            activity.SetTag("db.system.name", "redis");
            activity.SetTag("db.operation.name", command);
            activity.SetTag("db.namespace", database);
            activity.SetTag("server.address", host);
            activity.SetTag("server.port", port);
        }

        return activity;
    }

    private static IEnumerable<Measurement<long>> ObserveBacklog()
    {
        foreach (var multiplexer in Multiplexers.Keys)
        {
            yield return new Measurement<long>(
                multiplexer.BacklogLength,
                new KeyValuePair<string, object?>("server.address", multiplexer.Options.Host),
                new KeyValuePair<string, object?>("server.port", multiplexer.Options.Port),
                new KeyValuePair<string, object?>("reference.redis.connection", multiplexer.Role));
        }
    }
}
