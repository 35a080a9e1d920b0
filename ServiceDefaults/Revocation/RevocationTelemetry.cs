using System.Diagnostics.Metrics;

namespace Reference.ServiceDefaults.Revocation;

/// <summary>The revocation consumer's Meter (<c>Reference.Revocation</c>) and metric names; a singleton.</summary>
public sealed class RevocationTelemetry
{
    /// <summary>The Meter name.</summary>
    public const string MeterName = "Reference.Revocation";

    /// <summary>Revocations learnt, by <c>revocation.type</c> and <c>revocation.source</c> (<c>pubsub</c>, <c>catchup</c>).</summary>
    public const string ReceivedMetric = "reference.revocation.received";

    /// <summary>Cache entries evicted because of a revocation, by <c>revocation.cache</c> (the cache's type name).</summary>
    public const string EvictionsMetric = "reference.revocation.cache_evictions";

    /// <summary>Catch-ups from the Redis denylist keys, by <c>revocation.outcome</c>.</summary>
    public const string CatchUpsMetric = "reference.revocation.catchups";

    /// <summary>Requests refused because the token was revoked, by <c>revocation.where</c>.</summary>
    public const string DeniedMetric = "reference.revocation.denied";

    /// <summary>Live denylist entries dropped because the denylist was full.</summary>
    public const string DroppedMetric = "reference.revocation.dropped";

    private readonly Counter<long> _received;
    private readonly Counter<long> _evictions;
    private readonly Counter<long> _catchUps;
    private readonly Counter<long> _denied;
    private readonly Counter<long> _dropped;

    /// <summary>Creates the instruments through <paramref name="meterFactory"/>.</summary>
    public RevocationTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _received = meter.CreateCounter<long>(ReceivedMetric, "{revocation}", "Revocations learnt from pub/sub or the catch-up.");
        _evictions = meter.CreateCounter<long>(EvictionsMetric, "{entry}", "Cache entries evicted because of a revocation.");
        _catchUps = meter.CreateCounter<long>(CatchUpsMetric, "{catchup}", "Catch-ups from the Redis denylist keys.");
        _denied = meter.CreateCounter<long>(DeniedMetric, "{request}", "Requests refused because their token was revoked.");
        _dropped = meter.CreateCounter<long>(DroppedMetric, "{entry}", "Live denylist entries dropped because the denylist was full.");
    }

    /// <summary>Counts one revocation learnt.</summary>
    public void RecordReceived(RevocationKind kind, string source) =>
        _received.Add(1, new KeyValuePair<string, object?>("revocation.type", RevocationContract.TypeName(kind)), new KeyValuePair<string, object?>("revocation.source", source));

    /// <summary>Counts entries a cache evicted.</summary>
    public void RecordEvictions(string cache, int count)
    {
        if (count > 0)
        {
            _evictions.Add(count, new KeyValuePair<string, object?>("revocation.cache", cache));
        }
    }

    /// <summary>Counts one catch-up.</summary>
    public void RecordCatchUp(string outcome) => _catchUps.Add(1, new KeyValuePair<string, object?>("revocation.outcome", outcome));

    /// <summary>Counts one request refused because its token was revoked.</summary>
    public void RecordDenied(string where) => _denied.Add(1, new KeyValuePair<string, object?>("revocation.where", where));

    internal void RecordDropped() => _dropped.Add(1);
}
