using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Reference.Gateway.Tests.Infrastructure;

/// <summary>Records the measurements of one DI container's meters (its <see cref="IMeterFactory"/> scope), so parallel tests do not mix.</summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Name, string? Result), long> _counters = new();
    private readonly ConcurrentDictionary<string, long> _gauges = new(StringComparer.Ordinal);

    public MetricRecorder(IMeterFactory scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, scope))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    public long Count(string name, string result) => _counters.TryGetValue((name, result), out var value) ? value : 0;

    public long? Gauge(string name)
    {
        _listener.RecordObservableInstruments();
        return _gauges.TryGetValue(name, out var value) ? value : null;
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (instrument.GetType().Name.StartsWith("Observable", StringComparison.Ordinal))
        {
            _gauges[instrument.Name] = value;
            return;
        }

        string? result = null;
        foreach (var tag in tags)
        {
            if (tag.Key == "result")
            {
                result = tag.Value?.ToString();
            }
        }

        _counters.AddOrUpdate((instrument.Name, result), value, (_, current) => current + value);
    }
}
