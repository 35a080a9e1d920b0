using System.Diagnostics.Metrics;
using Polly.CircuitBreaker;

namespace Reference.Gateway.Authentication.Introspection;

/// <summary>Introspection metrics on the gateway's meter: cache lookups, endpoint calls and the breaker state.</summary>
internal sealed class IntrospectionTelemetry
{
    public const string BreakerStateMetric = "gateway.introspection.breaker_state";
    public const string CacheLookupsMetric = "gateway.introspection.cache_lookups";
    public const string RequestsMetric = "gateway.introspection.requests";

    private readonly Counter<long> _cacheLookups;
    private readonly Counter<long> _requests;

    public IntrospectionTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(GatewayTelemetry.SourceName);
        _cacheLookups = meter.CreateCounter<long>(
            CacheLookupsMetric, unit: "{lookup}", description: "Introspection cache lookups, by result (hit, miss, stale_hit).");
        _requests = meter.CreateCounter<long>(
            RequestsMetric, unit: "{request}", description: "Calls to the introspection endpoint, by result (active, inactive, unavailable, circuit_open).");
        meter.CreateObservableGauge(
            BreakerStateMetric,
            () => BreakerStateValue,
            unit: "{state}",
            description: "The introspection circuit breaker: 0 closed, 1 open, 2 half-open.");
    }

    /// <summary>Shared with the breaker strategy, which reports its state through it.</summary>
    public CircuitBreakerStateProvider BreakerState { get; } = new();

    public int BreakerStateValue => BreakerState.CircuitState switch
    {
        CircuitState.Closed => 0,
        CircuitState.HalfOpen => 2,
        _ => 1,
    };

    public void RecordCacheLookup(string result) =>
        _cacheLookups.Add(1, new KeyValuePair<string, object?>("result", result));

    public void RecordRequest(string result) =>
        _requests.Add(1, new KeyValuePair<string, object?>("result", result));
}
