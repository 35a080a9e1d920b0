namespace Reference.Redis;

/// <summary>
/// Names of the client's telemetry, for <c>AddSource</c>/<c>AddMeter</c> in an OpenTelemetry setup.
/// Every command is an Activity named after the operation (<c>GET</c>, <c>SET</c>...) with
/// <c>db.system=redis</c>, <c>db.operation.name</c>, <c>server.address</c>, <c>server.port</c> and
/// <c>db.namespace</c> (the database index); keys, values and passwords are never recorded.
/// </summary>
public static class RedisInstrumentation
{
    /// <summary>The ActivitySource name: <c>Reference.Redis</c>.</summary>
    public const string ActivitySourceName = "Reference.Redis";

    /// <summary>The Meter name: <c>Reference.Redis</c>.</summary>
    public const string MeterName = "Reference.Redis";

    /// <summary>Histogram of command durations in seconds, tagged <c>db.operation.name</c> and <c>error.type</c> on failure.</summary>
    public const string CommandDurationMetric = "db.client.operation.duration";

    /// <summary>Counter of failed commands, tagged <c>db.operation.name</c> and <c>error.type</c>.</summary>
    public const string CommandErrorsMetric = "reference.redis.command.errors";

    /// <summary>Counter of connections re-established after a loss.</summary>
    public const string ReconnectsMetric = "reference.redis.reconnects";

    /// <summary>Up-down counter of commands queued and not yet written (the backlog while disconnected).</summary>
    public const string BacklogLengthMetric = "reference.redis.backlog.length";
}
