using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Reference.Gateway.Propagation.InternalTokens;

/// <summary>
/// The internal signing keys as numbered generations in an <see cref="IInternalSigningKeyStore"/> (files in
/// <c>{DataPath}/keys/</c>, shared by every gateway replica): new tokens are signed with the newest generation already
/// active. Every <see cref="InternalTokenOptions.RotationInterval"/> the next generation is created
/// <see cref="PublishAhead"/> before it activates (published in the JWKS first, so verifiers with a cached JWKS know it
/// before any token uses it); its activation instant is stored with it, so every replica switches at the same moment.
/// A retired generation stays published until every token it signed has expired (<see cref="InternalTokenOptions.Lifetime"/>
/// plus <see cref="VerificationSkew"/> after its successor activated), then its file is removed. Replicas pick up
/// generations another one created on their next scan (at most <see cref="RescanInterval"/> later; the JWKS is
/// always built from a fresh scan).
/// </summary>
internal sealed class InternalSigningKeyRing
{
    /// <summary>Extra time a retired key stays published, for verifiers' clock skew.</summary>
    public static readonly TimeSpan VerificationSkew = TimeSpan.FromMinutes(1);

    /// <summary>How often the store is re-read for generations created by other replicas.</summary>
    public static readonly TimeSpan RescanInterval = TimeSpan.FromSeconds(5);

    /// <summary>Upper bound of the pre-publication lead: the JWKS document's max-age (300 s) plus a minute.</summary>
    public static readonly TimeSpan MaxPublishAhead = TimeSpan.FromMinutes(6);

    private readonly IInternalSigningKeyStore _store;
    private readonly bool _rotate;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _rotationInterval;
    private readonly TimeSpan _retention;
    private readonly ILogger? _logger;
    private readonly Lock _lock = new();
    private State? _state;

    public InternalSigningKeyRing(IInternalSigningKeyStore store, bool rotate, InternalTokenOptions options, TimeProvider timeProvider, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _rotate = rotate;
        _timeProvider = timeProvider;
        _rotationInterval = options.RotationInterval;
        _retention = options.Lifetime + VerificationSkew;
        _logger = logger;
        PublishAhead = options.RotationInterval / 2 < MaxPublishAhead ? options.RotationInterval / 2 : MaxPublishAhead;
        Refresh(force: true);
    }

    /// <summary>An in-memory ring starting with <paramref name="initial"/>, rotating to keys from <paramref name="createKey"/>.</summary>
    public InternalSigningKeyRing(InternalSigningKey initial, Func<InternalSigningKey>? createKey, InternalTokenOptions options, TimeProvider timeProvider)
        : this(
            new MemoryInternalSigningKeyStore(
                new InternalKeyGeneration(1, timeProvider.GetUtcNow(), initial),
                createKey ?? (() => throw new InvalidOperationException("This ring does not rotate."))),
            createKey is not null,
            options,
            timeProvider)
    {
    }

    /// <summary>How long before its activation a new generation is created and published.</summary>
    public TimeSpan PublishAhead { get; }

    /// <summary>A ring that never rotates (tests, tools).</summary>
    public static InternalSigningKeyRing Fixed(InternalSigningKey key, TimeProvider timeProvider) =>
        new(key, null, new InternalTokenOptions { RotationInterval = TimeSpan.MaxValue / 4 }, timeProvider);

    /// <summary>The ring over the key files in <paramref name="keysDirectory"/>, shared with other replicas.</summary>
    public static InternalSigningKeyRing FromDirectory(string keysDirectory, IOptions<InternalTokenOptions> options, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(new FileInternalSigningKeyStore(keysDirectory, logger), rotate: true, options.Value, timeProvider, logger);
    }

    /// <summary>The key new tokens are signed with (rotating first when it is due).</summary>
    public InternalSigningKey Current => Refresh(force: false).Current.Key;

    /// <summary>The public JWKS: the current key, the next one once pre-published, and every retired key still within its overlap.</summary>
    public ReadOnlyMemory<byte> JwksDocument => Refresh(force: true).Jwks;

    /// <summary>The published key ids: current, then retired (newest first), then the pre-published next one.</summary>
    public IReadOnlyList<string> PublishedKeyIds => Refresh(force: true).Published.Select(g => g.Key.KeyId).ToList();

    private State Refresh(bool force)
    {
        var state = Volatile.Read(ref _state);
        var now = _timeProvider.GetUtcNow();
        if (state is not null && !force && now < state.NextCheckAt)
        {
            return state;
        }

        lock (_lock)
        {
            state = _state;
            if (state is not null && !force && now < state.NextCheckAt)
            {
                return state;
            }

            var generations = _store.LoadAll();
            var current = generations.LastOrDefault(g => g.ActivatesAt <= now);
            if (current is null)
            {
                // First run (or every stored generation is still pending): a key active now.
                current = _store.Create((generations.Count == 0 ? 0 : generations[^1].Generation) + 1, now);
                generations = _store.LoadAll();
            }

            var dueAt = current.ActivatesAt + _rotationInterval;
            if (_rotate && !generations.Any(g => g.Generation > current.Generation) && now >= dueAt - PublishAhead)
            {
                var next = _store.Create(current.Generation + 1, dueAt > now ? dueAt : now);
                InternalTokenLog.KeyRotated(_logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, next.Key.KeyId, next.ActivatesAt);
                generations = _store.LoadAll();
                current = generations.Last(g => g.ActivatesAt <= now);
            }

            state = Build(generations, current, now);
            if (!ReferenceEquals(_state?.Current, state.Current) && _logger is not null)
            {
                InternalTokenLog.KeyLoaded(_logger, state.Current.Key.KeyId);
            }

            Volatile.Write(ref _state, state);
            return state;
        }
    }

    private State Build(IReadOnlyList<InternalKeyGeneration> generations, InternalKeyGeneration current, DateTimeOffset now)
    {
        var published = new List<InternalKeyGeneration> { current };
        var nextCheckAt = now + RescanInterval;
        for (var i = generations.Count - 1; i >= 0; i--)
        {
            var generation = generations[i];
            if (generation.Generation >= current.Generation)
            {
                continue;
            }

            // Retired when its successor activated; its tokens live at most Lifetime after that.
            var successor = generations.First(g => g.Generation > generation.Generation);
            var publishedUntil = successor.ActivatesAt + _retention;
            if (now < publishedUntil)
            {
                published.Add(generation);
                nextCheckAt = Min(nextCheckAt, publishedUntil);
            }
            else if (_rotate)
            {
                _store.Delete(generation.Generation);
            }
        }

        foreach (var pending in generations.Where(g => g.Generation > current.Generation))
        {
            published.Add(pending);
            nextCheckAt = Min(nextCheckAt, pending.ActivatesAt);
        }

        if (_rotate)
        {
            nextCheckAt = Min(nextCheckAt, current.ActivatesAt + _rotationInterval - PublishAhead);
        }

        // Never in the past, so a due-but-impossible step is not retried on every call.
        nextCheckAt = nextCheckAt > now ? nextCheckAt : now + TimeSpan.FromSeconds(1);
        return new State(current, published, BuildJwks(published), nextCheckAt);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static byte[] BuildJwks(IReadOnlyList<InternalKeyGeneration> published)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("keys");
            foreach (var generation in published)
            {
                using var single = JsonDocument.Parse(generation.Key.JwksDocument);
                foreach (var jwk in single.RootElement.GetProperty("keys").EnumerateArray())
                {
                    jwk.WriteTo(writer);
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private sealed record State(InternalKeyGeneration Current, IReadOnlyList<InternalKeyGeneration> Published, byte[] Jwks, DateTimeOffset NextCheckAt);
}
