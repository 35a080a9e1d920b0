namespace Reference.Redis;

/// <summary>A message received on a subscription.</summary>
/// <param name="Channel">The channel it was published to.</param>
/// <param name="Pattern">The pattern that matched, for <see cref="RedisClient.PatternSubscribeAsync"/>; otherwise <see langword="null"/>.</param>
/// <param name="Message">The payload (binary-safe).</param>
public readonly record struct RedisPubSubMessage(string Channel, string? Pattern, RedisValue Message);

/// <summary>An active subscription; dispose it to unsubscribe. It survives reconnects (the client resubscribes).</summary>
public sealed class RedisSubscription : IAsyncDisposable
{
    private readonly RedisClient _client;
    private int _disposed;

    internal RedisSubscription(RedisClient client, string channel, bool isPattern, Action<RedisPubSubMessage> handler)
    {
        _client = client;
        Channel = channel;
        IsPattern = isPattern;
        Handler = handler;
    }

    /// <summary>The channel, or the pattern when <see cref="IsPattern"/>.</summary>
    public string Channel { get; }

    /// <summary>Whether this is a PSUBSCRIBE pattern subscription.</summary>
    public bool IsPattern { get; }

    internal Action<RedisPubSubMessage> Handler { get; }

    /// <summary>Called (off the reader) each time the server confirmed the resubscription after a reconnect.</summary>
    internal Action? Resubscribed { get; init; }

    /// <summary>Stops delivering messages to the handler and unsubscribes when it was the last handler for the channel.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _client.UnsubscribeAsync(this);
        }
    }
}
