using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Reference.Gateway.Authentication;
using Reference.ServiceDefaults.Revocation;

namespace Reference.Gateway.Propagation.InternalTokens;

/// <summary>
/// Minted internal tokens, reused per (subject, client, tenant, audience, scopes, original token hash or session)
/// until <see cref="RenewBeforeExpiry"/> before they expire, so the per-request cost is a lookup. A cached token
/// never outlives the token it was minted from (its <c>exp</c> was bounded by it at minting). Bounded: when full,
/// expired entries are swept, and if that is not enough the cache starts over. A revocation evicts the tokens minted
/// from what it names (<c>jti</c>, <c>sid</c>, <c>sub</c>); the minted tokens also carry <c>orig_jti</c>, <c>sid</c> and
/// <c>orig_iat</c> so the services reject them on their own.
/// </summary>
internal sealed class InternalTokenCache(InternalTokenIssuer issuer, IOptions<InternalTokenOptions> options, TimeProvider timeProvider)
    : IRevocationListener
{
    public static readonly TimeSpan RenewBeforeExpiry = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<CacheKey, Entry> _entries = new();
    private readonly int _maxEntries = options.Value.MintCacheMaxEntries;

    public int Count => _entries.Count;

    public string GetOrMint(AuthenticatedCaller caller, string audience, IReadOnlyList<string> scopes, string requestId) =>
        GetOrMintEntry(caller, audience, scopes, requestId).Token;

    /// <summary>The <c>Authorization</c> header value (<c>Bearer {token}</c>), formatted once per minted token.</summary>
    public string GetOrMintAuthorization(AuthenticatedCaller caller, string audience, IReadOnlyList<string> scopes, string requestId) =>
        GetOrMintEntry(caller, audience, scopes, requestId).Authorization;

    private Entry GetOrMintEntry(AuthenticatedCaller caller, string audience, IReadOnlyList<string> scopes, string requestId)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(scopes);
        var key = new CacheKey(
            caller.Subject, caller.ClientId, caller.TenantId, audience, scopes.Count == 1 ? scopes[0] : string.Join(' ', scopes), caller.TokenHash, caller.SessionId, caller.Issuer);
        var now = timeProvider.GetUtcNow();
        if (_entries.TryGetValue(key, out var cached) && now < cached.ExpiresAt - RenewBeforeExpiry && cached.KeyId == issuer.CurrentKeyId)
        {
            return cached;
        }

        var keyId = issuer.CurrentKeyId;
        var token = issuer.Mint(caller, audience, scopes, requestId, out var expiresAt);
        var entry = new Entry(token, "Bearer " + token, expiresAt, keyId, caller.RevocationSubject);
        if (expiresAt - now > RenewBeforeExpiry)
        {
            if (_entries.Count >= _maxEntries)
            {
                Sweep(now);
            }

            _entries[key] = entry;
        }

        return entry;
    }

    public int OnRevoked(RevocationEntry revocation)
    {
        var evicted = 0;
        foreach (var (key, entry) in _entries)
        {
            if (entry.Source.IsConcernedBy(revocation) && _entries.TryRemove(new KeyValuePair<CacheKey, Entry>(key, entry)))
            {
                evicted++;
            }
        }

        return evicted;
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (key, entry) in _entries)
        {
            if (now >= entry.ExpiresAt - RenewBeforeExpiry)
            {
                _entries.TryRemove(key, out _);
            }
        }

        if (_entries.Count >= _maxEntries)
        {
            _entries.Clear();
        }
    }

    private readonly record struct CacheKey(
        string Subject, string? ClientId, string? TenantId, string Audience, string Scopes, string TokenHash, string? SessionId, string Issuer);

    private sealed record Entry(string Token, string Authorization, DateTimeOffset ExpiresAt, string KeyId, RevocationSubject Source);
}
