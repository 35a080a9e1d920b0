namespace Reference.ServiceDefaults.RateLimiting;

/// <summary>
/// The per-instance fallback: the same GCRA and lockout arithmetic as the Lua scripts, in memory, under one lock
/// (it only runs while Redis is unavailable). Entries whose state has lapsed are pruned when the table grows.
/// </summary>
internal sealed class LocalRateLimitStore
{
    private const int PruneThreshold = 100_000;
    private readonly Dictionary<string, long> _tats = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FailureState> _failures = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Returns 0 when allowed (all charged), else the wait in microseconds and the index of the denying key.</summary>
    public (long WaitMicroseconds, int DeniedIndex) Acquire(IReadOnlyList<(string Key, long EmissionInterval, long BurstTolerance)> keys, long nowMicroseconds)
    {
        lock (_gate)
        {
            Prune(nowMicroseconds);
            var worst = 0L;
            var denied = -1;
            Span<long> newTats = keys.Count <= 16 ? stackalloc long[keys.Count] : new long[keys.Count];
            for (var i = 0; i < keys.Count; i++)
            {
                var (key, interval, tolerance) = keys[i];
                var tat = Math.Max(_tats.GetValueOrDefault(key), nowMicroseconds);
                newTats[i] = tat + interval;
                var wait = newTats[i] - nowMicroseconds - tolerance;
                if (wait > worst)
                {
                    worst = wait;
                    denied = i;
                }
            }

            if (denied >= 0)
            {
                return (worst, denied);
            }

            for (var i = 0; i < keys.Count; i++)
            {
                _tats[keys[i].Key] = newTats[i];
            }

            return (0, -1);
        }
    }

    public long LockedUntil(string key)
    {
        lock (_gate)
        {
            return _failures.TryGetValue(key, out var state) ? state.LockedUntil : 0;
        }
    }

    public (bool LockedNow, long LockedUntil) RecordFailure(string key, long now, long window, int maxFailures, long duration)
    {
        lock (_gate)
        {
            var state = _failures.GetValueOrDefault(key);
            if (state.LockedUntil > now)
            {
                return (false, state.LockedUntil);
            }

            if (now - state.WindowStart >= window)
            {
                state = state with { WindowStart = now, Count = 0 };
            }

            state = state with { Count = state.Count + 1 };
            var locked = false;
            if (state.Count >= maxFailures)
            {
                state = new FailureState(now, 0, now + duration, now + duration);
                locked = true;
            }

            _failures[key] = state with { Expires = Math.Max(state.WindowStart + window, state.LockedUntil) };
            return (locked, state.LockedUntil);
        }
    }

    public void Reset(string key)
    {
        lock (_gate)
        {
            _failures.Remove(key);
        }
    }

    private void Prune(long now)
    {
        if (_tats.Count > PruneThreshold)
        {
            foreach (var key in _tats.Where(p => p.Value <= now).Select(p => p.Key).ToList())
            {
                _tats.Remove(key);
            }
        }

        if (_failures.Count > PruneThreshold)
        {
            foreach (var key in _failures.Where(p => p.Value.Expires <= now).Select(p => p.Key).ToList())
            {
                _failures.Remove(key);
            }
        }
    }

    private readonly record struct FailureState(long WindowStart, int Count, long LockedUntil, long Expires);
}
