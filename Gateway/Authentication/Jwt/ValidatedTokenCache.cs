using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Reference.ServiceDefaults.Revocation;

namespace Reference.Gateway.Authentication.Jwt;

/// <summary>The SHA-256 of a token: the cache key (fixed size, never the token itself, no allocation).</summary>
internal readonly struct TokenDigest : IEquatable<TokenDigest>
{
    private readonly ulong _a;
    private readonly ulong _b;
    private readonly ulong _c;
    private readonly ulong _d;

    private TokenDigest(ReadOnlySpan<byte> hash)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(hash);
        _a = words[0];
        _b = words[1];
        _c = words[2];
        _d = words[3];
    }

    public static TokenDigest Of(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var max = Encoding.UTF8.GetMaxByteCount(token.Length);
        byte[]? rented = null;
        var buffer = max <= 4096 ? stackalloc byte[4096] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var length = Encoding.UTF8.GetBytes(token, buffer);
            SHA256.HashData(buffer[..length], hash);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        return new TokenDigest(hash);
    }

    public bool Equals(TokenDigest other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

    public override bool Equals(object? obj) => obj is TokenDigest other && Equals(other);

    // SHA-256 output is uniformly distributed: 64 of its bits are a good hash code.
    public override int GetHashCode() => (int)_a ^ (int)(_a >> 32);

    public static bool operator ==(TokenDigest left, TokenDigest right) => left.Equals(right);

    public static bool operator !=(TokenDigest left, TokenDigest right) => !left.Equals(right);
}

/// <summary>
/// A token the validator accepted: the caller it established, its <c>jti</c>, and the key-set generation of the
/// issuer's JWKS it was verified against (a refreshed key set makes every entry from the previous one a miss).
/// </summary>
internal sealed class ValidatedToken(AuthenticatedCaller caller, string? tokenId, JwksCache keys, long keyGeneration)
{
    private long _lastUsed;

    public AuthenticatedCaller Caller { get; } = caller;

    /// <summary>The token's <c>jti</c>, when it has one (for eviction on revocation).</summary>
    public string? TokenId { get; } = tokenId;

    public JwksCache Keys { get; } = keys;

    public long KeyGeneration { get; } = keyGeneration;

    internal long LastUsed
    {
        get => Volatile.Read(ref _lastUsed);
        set => Volatile.Write(ref _lastUsed, value);
    }
}

/// <summary>
/// Tokens the <see cref="JwtTokenValidator"/> accepted, keyed by the SHA-256 of the token, so a token seen before costs
/// a hash and a lookup instead of a signature verification. An entry is never used within a second of the token's
/// <c>exp</c> (the same rule as a fresh validation) and is dropped when seen expired. Bounded
/// (<see cref="JwtValidationOptions.ValidatedTokenCacheSize"/>): when full, expired entries go first, then the least
/// recently used tenth. <see cref="RemoveWhere"/> evicts on revocation (by <c>jti</c>, <c>sid</c> or <c>sub</c>).
/// </summary>
internal sealed class ValidatedTokenCache : IRevocationListener
{
    private static readonly TimeSpan MinRemainingLifetime = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<TokenDigest, ValidatedToken> _entries = new();
    private readonly Lock _evictionGate = new();
    private long _clock;

    public ValidatedTokenCache(IOptions<JwtValidationOptions> options)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value.ValidatedTokenCacheSize)
    {
    }

    public ValidatedTokenCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Capacity = capacity;
    }

    /// <summary>The most entries kept; 0 disables the cache.</summary>
    public int Capacity { get; }

    public int Count => _entries.Count;

    /// <summary>The entry for a token, or null when absent or too close to its expiry (then it is removed).</summary>
    public ValidatedToken? Get(TokenDigest digest, DateTimeOffset now)
    {
        if (!_entries.TryGetValue(digest, out var entry))
        {
            return null;
        }

        if (entry.Caller.ExpiresAt - now < MinRemainingLifetime)
        {
            _entries.TryRemove(KeyValuePair.Create(digest, entry));
            return null;
        }

        entry.LastUsed = Interlocked.Increment(ref _clock);
        return entry;
    }

    public void Set(TokenDigest digest, ValidatedToken entry, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (Capacity == 0 || entry.Caller.ExpiresAt - now < MinRemainingLifetime)
        {
            return;
        }

        if (_entries.Count >= Capacity)
        {
            Evict(now);
        }

        entry.LastUsed = Interlocked.Increment(ref _clock);
        _entries[digest] = entry;
    }

    /// <summary>Drops one token (e.g. the validator found its key set replaced).</summary>
    public void Remove(TokenDigest digest) => _entries.TryRemove(digest, out _);

    /// <summary>Drops every entry matching <paramref name="predicate"/> (revocation by jti, sid or sub); returns how many.</summary>
    public int RemoveWhere(Func<ValidatedToken, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var removed = 0;
        foreach (var (digest, entry) in _entries)
        {
            if (predicate(entry) && _entries.TryRemove(KeyValuePair.Create(digest, entry)))
            {
                removed++;
            }
        }

        return removed;
    }

    /// <summary>A revocation received by the consumer: drops the tokens it names (<c>jti</c>, <c>sid</c>, <c>sub</c>).</summary>
    public int OnRevoked(RevocationEntry revocation) => RemoveWhere(entry => entry.Caller.RevocationSubject.IsConcernedBy(revocation));

    public void Clear() => _entries.Clear();

    private void Evict(DateTimeOffset now)
    {
        lock (_evictionGate)
        {
            if (_entries.Count < Capacity)
            {
                return;
            }

            RemoveWhere(entry => entry.Caller.ExpiresAt - now < MinRemainingLifetime);
            var target = Capacity - Math.Max(1, Capacity / 10);
            if (_entries.Count <= target)
            {
                return;
            }

            // LRU-like: one sort per tenth of the capacity added, so the amortized cost per insertion stays small.
            var snapshot = _entries.ToArray();
            Array.Sort(snapshot, static (x, y) => x.Value.LastUsed.CompareTo(y.Value.LastUsed));
            for (var i = 0; i < snapshot.Length && _entries.Count > target; i++)
            {
                _entries.TryRemove(snapshot[i]);
            }
        }
    }
}
