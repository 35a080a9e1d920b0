using System.Diagnostics.Metrics;

namespace Reference.Gateway.Authentication.Sessions;

/// <summary>Session metrics on the gateway's meter: store latency, refreshes, logins and logouts.</summary>
internal sealed class SessionTelemetry
{
    public const string StoreLatencyMetric = "gateway.session.store.duration";
    public const string RefreshesMetric = "gateway.session.refreshes";
    public const string EventsMetric = "gateway.session.events";

    private readonly Histogram<double> _storeLatency;
    private readonly Counter<long> _refreshes;
    private readonly Counter<long> _events;

    public SessionTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(GatewayTelemetry.SourceName);
        _storeLatency = meter.CreateHistogram<double>(StoreLatencyMetric, unit: "s", description: "Latency of session store (Redis) operations.");
        _refreshes = meter.CreateCounter<long>(RefreshesMetric, unit: "{refresh}", description: "Session access-token refreshes, by result.");
        _events = meter.CreateCounter<long>(EventsMetric, unit: "{event}", description: "Session lifecycle events: login, logout, backchannel_logout, expired.");
    }

    public void RecordStoreLatency(string operation, TimeSpan elapsed) =>
        _storeLatency.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("operation", operation));

    public void RecordRefresh(string result) => _refreshes.Add(1, new KeyValuePair<string, object?>("result", result));

    public void RecordEvent(string name) => _events.Add(1, new KeyValuePair<string, object?>("event", name));
}
