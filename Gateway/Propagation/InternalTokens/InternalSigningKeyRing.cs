using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Reference.Gateway.Propagation.InternalTokens;

/// <summary>
/// The internal signing keys with rotation and overlap: new tokens are signed with the current key; every
/// <see cref="InternalTokenOptions.RotationInterval"/> a new key becomes current and the previous one stays published
/// in the internal JWKS until every token it signed has expired (<see cref="InternalTokenOptions.Lifetime"/> plus
/// <see cref="VerificationSkew"/>), so a rotation never fails a request.
/// </summary>
internal sealed class InternalSigningKeyRing
{
    /// <summary>Extra time a retired key stays published, for verifiers' clock skew.</summary>
    public static readonly TimeSpan VerificationSkew = TimeSpan.FromMinutes(1);

    private readonly Func<InternalSigningKey>? _createKey;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _rotationInterval;
    private readonly TimeSpan _retention;
    private readonly Lock _lock = new();
    private State _state;

    public InternalSigningKeyRing(
        InternalSigningKey initial, Func<InternalSigningKey>? createKey, InternalTokenOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentNullException.ThrowIfNull(options);
        _createKey = createKey;
        _timeProvider = timeProvider;
        _rotationInterval = options.RotationInterval;
        _retention = options.Lifetime + VerificationSkew;
        _state = Build(initial, timeProvider.GetUtcNow(), []);
    }

    /// <summary>A ring that never rotates (tests, tools).</summary>
    public static InternalSigningKeyRing Fixed(InternalSigningKey key, TimeProvider timeProvider) =>
        new(key, null, new InternalTokenOptions { RotationInterval = TimeSpan.MaxValue / 4 }, timeProvider);

    /// <summary>Creates a ring whose new keys come from <paramref name="createKey"/>.</summary>
    public static InternalSigningKeyRing Create(
        InternalSigningKey initial, Func<InternalSigningKey> createKey, IOptions<InternalTokenOptions> options, TimeProvider timeProvider) =>
        new(initial, createKey, options.Value, timeProvider);

    /// <summary>The key new tokens are signed with (rotating first when it is due).</summary>
    public InternalSigningKey Current
    {
        get
        {
            var state = Refresh();
            return state.Current;
        }
    }

    /// <summary>The public JWKS: the current key and every retired key still within its overlap.</summary>
    public ReadOnlyMemory<byte> JwksDocument => Refresh().Jwks;

    public IReadOnlyList<string> PublishedKeyIds => [Refresh().Current.KeyId, .. Refresh().Previous.Select(p => p.Key.KeyId)];

    private State Refresh()
    {
        var state = Volatile.Read(ref _state);
        var now = _timeProvider.GetUtcNow();
        var rotationDue = _createKey is not null && now - state.CurrentSince >= _rotationInterval;
        var pruneDue = state.Previous.Any(p => now >= p.PublishedUntil);
        if (!rotationDue && !pruneDue)
        {
            return state;
        }

        lock (_lock)
        {
            state = _state;
            var previous = state.Previous.Where(p => now < p.PublishedUntil).ToList();
            if (_createKey is not null && now - state.CurrentSince >= _rotationInterval)
            {
                previous.Insert(0, new Retired(state.Current, now + _retention));
                state = Build(_createKey(), now, previous);
            }
            else
            {
                state = Build(state.Current, state.CurrentSince, previous);
            }

            Volatile.Write(ref _state, state);
            return state;
        }
    }

    private static State Build(InternalSigningKey current, DateTimeOffset since, IReadOnlyList<Retired> previous)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("keys");
            foreach (var key in previous.Select(p => p.Key).Prepend(current))
            {
                using var single = JsonDocument.Parse(key.JwksDocument);
                foreach (var jwk in single.RootElement.GetProperty("keys").EnumerateArray())
                {
                    jwk.WriteTo(writer);
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return new State(current, since, previous, buffer.ToArray());
    }

    private sealed record Retired(InternalSigningKey Key, DateTimeOffset PublishedUntil);

    private sealed record State(InternalSigningKey Current, DateTimeOffset CurrentSince, IReadOnlyList<Retired> Previous, byte[] Jwks);
}
