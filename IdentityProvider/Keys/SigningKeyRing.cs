using Microsoft.Extensions.Options;
using Reference.IdentityProvider.Options;

namespace Reference.IdentityProvider.Keys;

/// <summary>
/// Every stored key per algorithm, with automatic rotation. Which key signs is decided by time alone (the newest
/// key whose activation has passed), so replicas that have read the same files always agree.
/// </summary>
/// <remarks>
/// <see cref="RotateIfDueAsync"/> (run at start and every <see cref="KeyRotationOptions.CheckInterval"/> by
/// <see cref="SigningKeyRotationService"/>) re-reads the store (another replica may have rotated), creates the
/// successor once the active key is within <see cref="KeyRotationOptions.PublishAhead"/> of the end of its
/// interval, and deletes retired keys whose retention has passed. The JWKS is everything still stored: the active
/// key, the published-ahead successor, and retired keys within retention.
/// </remarks>
internal sealed class SigningKeyRing(
    ISigningKeyStore store,
    IOptions<IdentityProviderOptions> options,
    TimeProvider timeProvider,
    IdentityProviderTelemetry telemetry,
    ILogger<SigningKeyRing> logger) : ISigningKeyRing, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    // Keys are disposed only with the ring: a request may still hold a key that was just pruned.
    private readonly HashSet<SigningKey> _seen = [];
    private volatile IReadOnlyDictionary<string, IReadOnlyList<SigningKey>>? _keys;

    public async ValueTask<SigningKey> GetSigningKeyAsync(string algorithm, CancellationToken cancellationToken)
    {
        var keys = await GetKeysAsync(cancellationToken);
        if (!keys.TryGetValue(algorithm, out var candidates) || candidates.Count == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "No signing key for this algorithm.");
        }

        return Active(candidates, timeProvider.GetUtcNow());
    }

    public async ValueTask<IReadOnlyList<SigningKey>> GetPublishedKeysAsync(CancellationToken cancellationToken)
    {
        var keys = await GetKeysAsync(cancellationToken);
        var now = timeProvider.GetUtcNow();

        // The active key first, then the next one, then retired ones (newest first).
        return
        [
            .. SigningAlgorithms.Supported.SelectMany(algorithm => keys.TryGetValue(algorithm, out var list)
                ? list.OrderByDescending(k => k == Active(list, now)).ThenBy(k => k.ActivatesAt <= now).ThenByDescending(k => k.Generation)
                : Enumerable.Empty<SigningKey>()),
        ];
    }

    /// <summary>Reloads the store, creates due successors and prunes expired keys.</summary>
    public async Task RotateIfDueAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var rotation = options.Value.KeyRotation;
            var retention = KeyRotationOptions.EffectiveRetention(options.Value);
            var result = new Dictionary<string, IReadOnlyList<SigningKey>>(StringComparer.Ordinal);
            foreach (var algorithm in SigningAlgorithms.Supported)
            {
                var now = timeProvider.GetUtcNow();
                var keys = (await store.LoadAllAsync(algorithm, cancellationToken)).ToList();
                if (keys.Count == 0)
                {
                    // First start: nothing was ever signed, so the first key signs at once.
                    var (first, _) = await store.CreateAsync(algorithm, 1, now, now + rotation.RotationInterval, cancellationToken);
                    keys.Add(first);
                }

                var active = Active(keys, now);
                if (!keys.Any(k => k.Generation > active.Generation) && now >= active.ActivatesAt + rotation.RotationInterval - rotation.PublishAhead)
                {
                    // Never sign with a key before it has been published for PublishAhead, even after downtime.
                    var plannedStart = active.ActivatesAt + rotation.RotationInterval;
                    var activatesAt = plannedStart > now + rotation.PublishAhead ? plannedStart : now + rotation.PublishAhead;
                    var generation = keys.Max(k => k.Generation) + 1;
                    var (next, created) = await store.CreateAsync(algorithm, generation, activatesAt, activatesAt + rotation.RotationInterval, cancellationToken);
                    keys.Add(next);
                    if (created)
                    {
                        telemetry.KeyRotated(algorithm);
                        KeysLog.KeyRotated(logger, algorithm, next.KeyId, next.Generation, next.ActivatesAt);
                    }
                }

                keys.Sort((a, b) => a.Generation.CompareTo(b.Generation));
                var kept = new List<SigningKey>(keys.Count);
                for (var i = 0; i < keys.Count; i++)
                {
                    var key = keys[i];
                    _seen.Add(key);

                    // Retired when a later key activated; kept until every token it signed has expired.
                    var retiredAt = i + 1 < keys.Count && keys[i + 1].ActivatesAt <= now ? keys[i + 1].ActivatesAt : (DateTimeOffset?)null;
                    if (retiredAt is { } retired && key != active && now >= retired + retention)
                    {
                        store.Delete(key);
                        continue;
                    }

                    kept.Add(key);
                }

                result[algorithm] = kept;
            }

            _keys = result;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        foreach (var key in _seen)
        {
            key.Dispose();
        }

        _gate.Dispose();
    }

    /// <summary>The newest key whose activation has passed; the oldest key if none has (a clock far behind).</summary>
    private static SigningKey Active(IReadOnlyList<SigningKey> keys, DateTimeOffset now) =>
        keys.Where(k => k.ActivatesAt <= now).MaxBy(k => k.Generation) ?? keys.MinBy(k => k.Generation)!;

    private async ValueTask<IReadOnlyDictionary<string, IReadOnlyList<SigningKey>>> GetKeysAsync(CancellationToken cancellationToken)
    {
        if (_keys is { } keys)
        {
            return keys;
        }

        await RotateIfDueAsync(cancellationToken);
        return _keys!;
    }
}
