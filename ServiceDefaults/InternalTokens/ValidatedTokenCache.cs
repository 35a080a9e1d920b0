using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Reference.ServiceDefaults.Revocation;

namespace Reference.ServiceDefaults.InternalTokens;

/// <summary>
/// Verified tokens by SHA-256 of the token (never the token itself), so a repeated token costs a
/// lookup. Bounded: when full, expired entries are dropped, and if that frees nothing the cache is
/// cleared. An entry is never used at or after the token's <c>exp</c> (no clock-skew grace on hits). A revocation
/// evicts every entry it concerns (by <c>jti</c>/<c>orig_jti</c>, <c>sid</c>, <c>sub</c>); the validator also checks
/// the denylist on every hit.
/// </summary>
internal sealed class ValidatedTokenCache : IRevocationListener
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

        _entries[key] = new Entry(principal, expires, RevocationSubjectOf(principal));
    }

    public int OnRevoked(RevocationEntry revocation)
    {
        var evicted = 0;
        foreach (var (key, entry) in _entries)
        {
            if (entry.Subject.IsConcernedBy(revocation) && _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry)))
            {
                evicted++;
            }
        }

        return evicted;
    }

    /// <summary>What the denylist needs of a verified token: its jti and orig_jti, sid, sub, and the original iat.</summary>
    public static RevocationSubject RevocationSubjectOf(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var issuedAt = Seconds(principal.FindFirst(InternalTokenClaimTypes.OriginalIssuedAt)?.Value)
            ?? Seconds(principal.FindFirst("iat")?.Value);
        return new RevocationSubject(
            [principal.FindFirst("jti")?.Value, principal.FindFirst(InternalTokenClaimTypes.OriginalTokenId)?.Value],
            principal.FindFirst(InternalTokenClaimTypes.SessionId)?.Value,
            principal.FindFirst(InternalTokenClaimTypes.Subject)?.Value,
            issuedAt);
    }

    private static DateTimeOffset? Seconds(string? value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 0 and <= 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    private readonly record struct Entry(ClaimsPrincipal Principal, DateTimeOffset Expires, RevocationSubject Subject);
}
