using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Reference.ServiceDefaults.Revocation;

namespace Reference.Gateway.Authentication.Introspection;

/// <summary>
/// Introspection results keyed by the SHA-256 of the token (the token itself is never a key). An active result is
/// fresh until min(<see cref="IntrospectionOptions.CacheDuration"/>, the token's <c>exp</c>); an inactive one for
/// <see cref="IntrospectionOptions.NegativeCacheDuration"/>. Past freshness an active result is kept, for the outage
/// fallback only, up to <see cref="IntrospectionOptions.MaxCachedAge"/> and never past <c>exp</c>. The size is
/// bounded: when full, the least recently used tenth is evicted (expired entries first). A revocation evicts every
/// result it concerns (by <c>jti</c>, <c>sid</c>, <c>sub</c>), fresh or kept for the outage fallback.
/// </summary>
internal sealed class IntrospectionCache : IRevocationListener
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly object _evictionGate = new();
    private readonly IntrospectionOptions _options;
    private readonly TimeProvider _timeProvider;
    private long _useSequence;

    public IntrospectionCache(IOptions<IntrospectionOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _timeProvider = timeProvider;
    }

    public int Count => _entries.Count;

    public IntrospectionResult? GetFresh(string key)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            return null;
        }

        var now = _timeProvider.GetUtcNow();
        if (now >= entry.FreshUntil)
        {
            if (!IsUsableForFallback(entry, now))
            {
                _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            }

            return null;
        }

        entry.Touch(NextUse());
        return entry.Result;
    }

    /// <summary>A cached active result that may be served while the endpoint is unavailable, and its age.</summary>
    public (IntrospectionResult Result, TimeSpan Age)? GetForFallback(string key)
    {
        var now = _timeProvider.GetUtcNow();
        if (_entries.TryGetValue(key, out var entry) && IsUsableForFallback(entry, now))
        {
            entry.Touch(NextUse());
            return (entry.Result, now - entry.CachedAt);
        }

        return null;
    }

    public void Set(string key, IntrospectionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var now = _timeProvider.GetUtcNow();
        var freshUntil = result.Caller is { } caller
            ? Min(now + _options.CacheDuration, caller.ExpiresAt)
            : now + _options.NegativeCacheDuration;
        if (freshUntil <= now && result.Caller is null)
        {
            return;
        }

        if (!_entries.ContainsKey(key) && _entries.Count >= _options.MaxCacheEntries)
        {
            Evict(now);
        }

        _entries[key] = new Entry(result, now, freshUntil, NextUse());
    }

    public int OnRevoked(RevocationEntry revocation)
    {
        var evicted = 0;
        foreach (var (key, entry) in _entries)
        {
            if (entry.Result.Caller is { } caller && caller.RevocationSubject.IsConcernedBy(revocation)
                && _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry)))
            {
                evicted++;
            }
        }

        return evicted;
    }

    private bool IsUsableForFallback(Entry entry, DateTimeOffset now) =>
        entry.Result.Caller is { } caller
        && now < caller.ExpiresAt
        && now - entry.CachedAt <= _options.MaxCachedAge;

    private void Evict(DateTimeOffset now)
    {
        lock (_evictionGate)
        {
            if (_entries.Count < _options.MaxCacheEntries)
            {
                return;
            }

            // Drop what can no longer be served at all, then the least recently used until 90 % full.
            foreach (var (key, entry) in _entries)
            {
                if (now >= entry.FreshUntil && !IsUsableForFallback(entry, now))
                {
                    _entries.TryRemove(key, out _);
                }
            }

            var target = Math.Max(0, (int)(_options.MaxCacheEntries * 0.9) - 1);
            var excess = _entries.Count - target;
            if (excess <= 0)
            {
                return;
            }

            foreach (var (key, _) in _entries.ToArray().OrderBy(e => e.Value.LastUsed).Take(excess))
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    private long NextUse() => Interlocked.Increment(ref _useSequence);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private sealed class Entry(IntrospectionResult result, DateTimeOffset cachedAt, DateTimeOffset freshUntil, long lastUsed)
    {
        private long _lastUsed = lastUsed;

        public IntrospectionResult Result { get; } = result;

        public DateTimeOffset CachedAt { get; } = cachedAt;

        public DateTimeOffset FreshUntil { get; } = freshUntil;

        /// <summary>A use sequence number, not a time: recency order without depending on the clock's resolution.</summary>
        public long LastUsed => Volatile.Read(ref _lastUsed);

        public void Touch(long sequence) => Volatile.Write(ref _lastUsed, sequence);
    }
}
