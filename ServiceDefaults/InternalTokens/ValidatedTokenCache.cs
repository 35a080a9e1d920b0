using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;

namespace Reference.ServiceDefaults.InternalTokens;

/// <summary>
/// Verified tokens by SHA-256 of the token (never the token itself), so a repeated token costs a
/// lookup. Bounded: when full, expired entries are dropped, and if that frees nothing the cache is
/// cleared. An entry is never used at or after the token's <c>exp</c> (no clock-skew grace on hits).
/// </summary>
internal sealed class ValidatedTokenCache
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    public static string Key(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public ClaimsPrincipal? Get(string key, DateTimeOffset now)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            return null;
        }

        if (now >= entry.Expires)
        {
            _entries.TryRemove(key, out _);
            return null;
        }

        return entry.Principal;
    }

    public void Set(string key, ClaimsPrincipal principal, DateTimeOffset expires, DateTimeOffset now, int capacity)
    {
        if (capacity <= 0 || expires <= now)
        {
            return;
        }

        if (_entries.Count >= capacity)
        {
            foreach (var (k, e) in _entries)
            {
                if (now >= e.Expires)
                {
                    _entries.TryRemove(k, out _);
                }
            }

            if (_entries.Count >= capacity)
            {
                _entries.Clear();
            }
        }

        _entries[key] = new Entry(principal, expires);
    }

    private readonly record struct Entry(ClaimsPrincipal Principal, DateTimeOffset Expires);
}
