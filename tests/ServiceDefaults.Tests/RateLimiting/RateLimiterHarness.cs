using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Reference.Redis;
using Reference.ServiceDefaults.RateLimiting;
using Reference.TestUtilities;

namespace Reference.ServiceDefaults.Tests.RateLimiting;

/// <summary>A <see cref="DistributedRateLimiter"/> over a given Redis client, a fake clock and its own meters.</summary>
internal sealed class RateLimiterHarness : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public RateLimiterHarness(RedisClient redis, FakeTimeProvider time, string keyPrefix, RedisUnavailableBehavior behavior = RedisUnavailableBehavior.LocalFallback)
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = _services.GetRequiredService<IMeterFactory>();
        var telemetry = new RateLimitingTelemetry(meterFactory);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RateLimitingTelemetry.MeterName && ReferenceEquals(instrument.Meter.Scope, meterFactory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = instrument.Name;
            foreach (var tag in tags)
            {
                key += "|" + tag.Key + "=" + tag.Value;
            }

            _counts.AddOrUpdate(key, value, (_, v) => v + value);
        });
        _listener.Start();
        var options = Microsoft.Extensions.Options.Options.Create(new RateLimitingOptions { KeyPrefix = keyPrefix, OnRedisUnavailable = behavior });
        Limiter = new DistributedRateLimiter(redis, options, telemetry, time, NullLogger<DistributedRateLimiter>.Instance);
    }

    public DistributedRateLimiter Limiter { get; }

    /// <summary>The sum of a counter's measurements whose tags contain every given <c>name=value</c>.</summary>
    public long Count(string instrument, params string[] tags) =>
        _counts.Where(p => p.Key.StartsWith(instrument + "|", StringComparison.Ordinal) && tags.All(t => p.Key.Contains("|" + t, StringComparison.Ordinal))).Sum(p => p.Value);

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }
}
