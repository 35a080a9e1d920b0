using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Reference.Redis;

namespace Reference.ServiceDefaults.Revocation;

/// <summary>
/// Subscribes to <c>reference:revocations</c> through the shared <see cref="RedisClient"/> and feeds the
/// <see cref="RevocationDenylist"/>. Pub/sub does not replay, so after the first subscription and after every
/// resubscription (the client resubscribes on reconnect) it catches up from the Redis denylist keys with
/// <c>SCAN MATCH revoked:*</c> (+ GET and PTTL per key): what was revoked while it was disconnected is learnt then.
/// The subscription is made before the catch-up, so nothing published in between is missed.
/// </summary>
internal sealed class RevocationConsumer : BackgroundService
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(30);

    private readonly RedisClient _redis;
    private readonly RevocationDenylist _denylist;
    private readonly RevocationTelemetry _telemetry;
    private readonly RevocationOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<RevocationConsumer> _logger;
    private readonly Channel<string> _catchUpRequests = Channel.CreateBounded<string>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private ITimer? _monitor;
    private RedisSubscription? _subscription;
    private long _lastSweep;
    private int _catchUps;

    public RevocationConsumer(
        RedisClient redis,
        RevocationDenylist denylist,
        RevocationTelemetry telemetry,
        IOptions<RevocationOptions> options,
        TimeProvider timeProvider,
        ILogger<RevocationConsumer> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _redis = redis;
        _denylist = denylist;
        _telemetry = telemetry;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Completed catch-ups since start (for tests and diagnostics).</summary>
    public int CatchUps => Volatile.Read(ref _catchUps);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_monitor is not null)
        {
            await _monitor.DisposeAsync();
        }

        if (_subscription is not null)
        {
            await _subscription.DisposeAsync();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        _lastSweep = _timeProvider.GetTimestamp();
        while (_subscription is null && !stoppingToken.IsCancellationRequested)
        {
            try
            {
                _subscription = await _redis.SubscribeAsync(_options.Channel, OnMessage, () => RequestCatchUp("reconnect"), stoppingToken);
                RevocationLog.Subscribed(_logger, _options.Channel);
            }
            catch (RedisException ex)
            {
                RevocationLog.SubscribeFailed(_logger, (long)_options.RetryDelay.TotalMilliseconds, ex);
                await DelayAsync(stoppingToken);
            }
        }

        if (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        var period = _options.RetryDelay < TimeSpan.FromSeconds(1) ? _options.RetryDelay : TimeSpan.FromSeconds(1);
        _monitor = _timeProvider.CreateTimer(static state => ((RevocationConsumer)state!).Monitor(), this, period, period);
        RequestCatchUp("start");
        try
        {
            await foreach (var reason in _catchUpRequests.Reader.ReadAllAsync(stoppingToken))
            {
                await CatchUpWithRetriesAsync(reason, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    internal void RequestCatchUp(string reason)
    {
        _denylist.MarkUnsynchronized();
        _catchUpRequests.Writer.TryWrite(reason);
    }

    private void OnMessage(RedisPubSubMessage message)
    {
        var payload = message.Message.Memory.Span;
        if (RevocationContract.ParseMessage(payload, _timeProvider.GetUtcNow()) is not { } revocation)
        {
            RevocationLog.Malformed(_logger, payload.Length);
            return;
        }

        Learn(revocation, "pubsub");
    }

    private void Learn(RevocationEntry revocation, string source)
    {
        if (_denylist.Add(revocation, source) && source == "pubsub")
        {
            RevocationLog.Received(_logger, revocation.Kind, new RevokedValueHash(revocation.Value), revocation.ExpiresAt, source);
        }
    }

    private async Task CatchUpWithRetriesAsync(string reason, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CatchUpAsync(reason, stoppingToken);
                return;
            }
            catch (RedisException ex)
            {
                _telemetry.RecordCatchUp("failure");
                RevocationLog.CatchUpFailed(_logger, reason, (long)_options.RetryDelay.TotalMilliseconds, ex);
                await DelayAsync(stoppingToken);
            }
        }
    }

    private async Task CatchUpAsync(string reason, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var keys = 0;
        var live = 0;
        ulong cursor = 0;
        do
        {
            var page = await _redis.ScanPageAsync(cursor, RevocationContract.KeyPrefix + "*", _options.ScanPageSize, cancellationToken);
            keys += page.Keys.Count;
            var reads = page.Keys.Select(async key =>
            {
                var value = _redis.GetAsync(key, cancellationToken);
                var ttl = _redis.PTtlAsync(key, cancellationToken);
                return (Key: key, Value: await value, TtlMs: await ttl);
            }).ToList();
            foreach (var (key, value, ttlMs) in await Task.WhenAll(reads))
            {
                // PTTL -2: gone since SCAN; -1: no TTL (not ours to keep forever; the IdP always sets one).
                if (ttlMs <= 0)
                {
                    continue;
                }

                var now = _timeProvider.GetUtcNow();
                if (RevocationContract.ParseKey(key, (string?)value, TimeSpan.FromMilliseconds(ttlMs), now) is { } revocation)
                {
                    live++;
                    Learn(revocation, "catchup");
                }
            }

            cursor = page.Cursor;
        }
        while (cursor != 0);

        // Synchronized only when the subscription is up: if it dropped meanwhile, its resubscription asks again.
        if (_redis.IsSubscriberConnected)
        {
            _denylist.MarkSynchronized();
        }

        Interlocked.Increment(ref _catchUps);
        _telemetry.RecordCatchUp("success");
        var elapsedMs = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        RevocationLog.CaughtUp(_logger, reason, keys, live, elapsedMs);
    }

    private void Monitor()
    {
        if (_denylist.IsSynchronized && !_redis.IsSubscriberConnected)
        {
            _denylist.MarkUnsynchronized();
            RevocationLog.SubscriptionLost(_logger);
        }

        if (_timeProvider.GetElapsedTime(Interlocked.Read(ref _lastSweep)) >= SweepInterval)
        {
            Interlocked.Exchange(ref _lastSweep, _timeProvider.GetTimestamp());
            _denylist.Sweep();
        }
    }

    private async Task DelayAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(_options.RetryDelay, _timeProvider, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

}
