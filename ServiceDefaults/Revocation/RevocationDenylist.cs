using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Reference.ServiceDefaults.Revocation;

/// <summary>
/// The in-memory denylist every cache consults on its hit path: dictionary lookups by <c>jti</c>, <c>sid</c> and
/// <c>sub</c> (with the revocation instant). Each entry is dropped at its <c>exp</c> (checked against the
/// <see cref="TimeProvider"/>; swept periodically). Filled by the revocation consumer from pub/sub and from the
/// Redis denylist keys on (re)connect; <see cref="Add"/> also tells every <see cref="IRevocationListener"/>.
/// </summary>
public sealed class RevocationDenylist
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _tokenIds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _families = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (DateTimeOffset RevokedAt, DateTimeOffset ExpiresAt)> _subjects = new(StringComparer.Ordinal);
    private readonly IEnumerable<IRevocationListener> _listeners;
    private readonly RevocationTelemetry _telemetry;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<RevocationDenylist> _logger;
    private readonly object _overflowGate = new();
    private readonly int _maxEntries;
    private readonly TimeSpan? _failClosedAfter;
    private long _unsynchronizedSince;
    private int _synchronized;
    private long _dropped;

    /// <summary>Creates the denylist (one per application, a singleton).</summary>
    public RevocationDenylist(
        IEnumerable<IRevocationListener> listeners,
        RevocationTelemetry telemetry,
        IOptions<RevocationOptions> options,
        TimeProvider timeProvider,
        ILogger<RevocationDenylist> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _listeners = listeners;
        _telemetry = telemetry;
        _timeProvider = timeProvider;
        _logger = logger;
        _maxEntries = options.Value.MaxEntries;
        _failClosedAfter = options.Value.FailClosedAfter;
        _unsynchronizedSince = timeProvider.GetUtcNow().UtcTicks;
    }

    /// <summary>How many entries are held (all kinds).</summary>
    public int Count => _tokenIds.Count + _sessions.Count + _families.Count + _subjects.Count;

    /// <summary>Whether the last catch-up completed and the subscription has not been lost since.</summary>
    public bool IsSynchronized => Volatile.Read(ref _synchronized) == 1;

    /// <summary>Since when the denylist is unsynchronized (start-up or the subscription lost); null when synchronized.</summary>
    public DateTimeOffset? UnsynchronizedSince => IsSynchronized ? null : new DateTimeOffset(Interlocked.Read(ref _unsynchronizedSince), TimeSpan.Zero);

    /// <summary>How many live entries were dropped because the denylist was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Whether a token with this identity is revoked.</summary>
    public RevocationStatus Check(in RevocationSubject subject)
    {
        var now = _timeProvider.GetUtcNow();
        foreach (var id in subject.TokenIds ?? [])
        {
            if (id is not null && IsLive(_tokenIds, id, now))
            {
                return RevocationStatus.Revoked;
            }
        }

        if (subject.SessionId is { } sid && IsLive(_sessions, sid, now))
        {
            return RevocationStatus.Revoked;
        }

        if (subject.Subject is { } sub && _subjects.TryGetValue(sub, out var entry))
        {
            if (now >= entry.ExpiresAt)
            {
                _subjects.TryRemove(new KeyValuePair<string, (DateTimeOffset, DateTimeOffset)>(sub, entry));
            }
            else if (subject.IssuedAt is not { } issued || issued <= entry.RevokedAt)
            {
                return RevocationStatus.Revoked;
            }
        }

        if (_failClosedAfter is { } budget && !IsSynchronized && now - UnsynchronizedSince >= budget)
        {
            return RevocationStatus.Unknown;
        }

        return RevocationStatus.NotRevoked;
    }

    /// <summary>Convenience: <c>Check</c> for a token's <c>jti</c>, <c>sid</c>, <c>sub</c> and issue time.</summary>
    public RevocationStatus Check(string? tokenId, string? sessionId, string? subject, DateTimeOffset? issuedAt) =>
        Check(new RevocationSubject([tokenId], sessionId, subject, issuedAt));

    /// <summary>Adds a revocation (idempotent) and tells every listener; returns false when it had already expired.</summary>
    /// <param name="revocation">The revocation.</param>
    /// <param name="source">For metrics: <c>pubsub</c> or <c>catchup</c>.</param>
    public bool Add(RevocationEntry revocation, string source)
    {
        var now = _timeProvider.GetUtcNow();
        if (revocation.ExpiresAt <= now)
        {
            return false;
        }

        if (Count >= _maxEntries)
        {
            MakeRoom(now);
        }

        var added = revocation.Kind switch
        {
            RevocationKind.TokenId => Upsert(_tokenIds, revocation.Value, revocation.ExpiresAt),
            RevocationKind.Session => Upsert(_sessions, revocation.Value, revocation.ExpiresAt),
            RevocationKind.Family => Upsert(_families, revocation.Value, revocation.ExpiresAt),
            _ => UpsertSubject(revocation),
        };
        if (added)
        {
            _telemetry.RecordReceived(revocation.Kind, source);
        }

        foreach (var listener in _listeners)
        {
            try
            {
                _telemetry.RecordEvictions(listener.GetType().Name, listener.OnRevoked(revocation));
            }
#pragma warning disable CA1031 // A faulty cache must not stop the others from evicting; it is logged.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                RevocationLog.ListenerFailed(_logger, listener.GetType().Name, ex);
            }
        }

        return true;
    }

    /// <summary>Whether a refresh-token family is known revoked.</summary>
    public bool IsFamilyRevoked(string familyId) => IsLive(_families, familyId, _timeProvider.GetUtcNow());

    /// <summary>Drops every entry past its <c>exp</c>; returns how many.</summary>
    public int Sweep()
    {
        var now = _timeProvider.GetUtcNow();
        var removed = SweepExpiry(_tokenIds, now) + SweepExpiry(_sessions, now) + SweepExpiry(_families, now);
        foreach (var (key, entry) in _subjects)
        {
            if (now >= entry.ExpiresAt && _subjects.TryRemove(new KeyValuePair<string, (DateTimeOffset, DateTimeOffset)>(key, entry)))
            {
                removed++;
            }
        }

        return removed;
    }

    internal void MarkSynchronized() => Volatile.Write(ref _synchronized, 1);

    internal void MarkUnsynchronized()
    {
        if (Interlocked.Exchange(ref _synchronized, 0) == 1)
        {
            Interlocked.Exchange(ref _unsynchronizedSince, _timeProvider.GetUtcNow().UtcTicks);
        }
    }

    private static bool IsLive(ConcurrentDictionary<string, DateTimeOffset> map, string key, DateTimeOffset now)
    {
        if (!map.TryGetValue(key, out var expiresAt))
        {
            return false;
        }

        if (now >= expiresAt)
        {
            map.TryRemove(new KeyValuePair<string, DateTimeOffset>(key, expiresAt));
            return false;
        }

        return true;
    }

    private static bool Upsert(ConcurrentDictionary<string, DateTimeOffset> map, string key, DateTimeOffset expiresAt)
    {
        var added = true;
        map.AddOrUpdate(key, expiresAt, (_, existing) =>
        {
            added = false;
            return existing > expiresAt ? existing : expiresAt;
        });
        return added;
    }

    private bool UpsertSubject(RevocationEntry revocation)
    {
        var added = true;
        _subjects.AddOrUpdate(
            revocation.Value,
            (revocation.RevokedAt, revocation.ExpiresAt),
            (_, existing) =>
            {
                added = false;
                return (existing.RevokedAt > revocation.RevokedAt ? existing.RevokedAt : revocation.RevokedAt,
                    existing.ExpiresAt > revocation.ExpiresAt ? existing.ExpiresAt : revocation.ExpiresAt);
            });
        return added;
    }

    private static int SweepExpiry(ConcurrentDictionary<string, DateTimeOffset> map, DateTimeOffset now)
    {
        var removed = 0;
        foreach (var (key, expiresAt) in map)
        {
            if (now >= expiresAt && map.TryRemove(new KeyValuePair<string, DateTimeOffset>(key, expiresAt)))
            {
                removed++;
            }
        }

        return removed;
    }

    private void MakeRoom(DateTimeOffset now)
    {
        lock (_overflowGate)
        {
            if (Count < _maxEntries || Sweep() > 0 && Count < _maxEntries)
            {
                return;
            }

            // Full of live entries: drop the one that stops mattering soonest (it is the least harmful to forget).
            var soonest = _tokenIds.Concat(_sessions).Concat(_families).DefaultIfEmpty().MinBy(e => e.Value);
            if (soonest.Key is not null && (_tokenIds.TryRemove(soonest.Key, out _) || _sessions.TryRemove(soonest.Key, out _) || _families.TryRemove(soonest.Key, out _)))
            {
                Interlocked.Increment(ref _dropped);
                _telemetry.RecordDropped();
                RevocationLog.DenylistFull(_logger, _maxEntries, soonest.Value - now);
            }
        }
    }
}
