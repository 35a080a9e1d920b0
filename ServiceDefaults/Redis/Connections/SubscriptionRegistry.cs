using Microsoft.Extensions.Logging;

namespace Reference.Redis.Connections;

/// <summary>Which handlers listen to which channels and patterns; dispatches pushed messages.</summary>
internal sealed class SubscriptionRegistry(ILogger logger)
{
    private readonly object _gate = new();
    private readonly Dictionary<(string Name, bool IsPattern), List<RedisSubscription>> _subscriptions = [];

    public void Add(RedisSubscription subscription)
    {
        lock (_gate)
        {
            var key = (subscription.Channel, subscription.IsPattern);
            if (!_subscriptions.TryGetValue(key, out var list))
            {
                _subscriptions[key] = list = [];
            }

            list.Add(subscription);
        }
    }

    /// <summary>Removes a handler; <see langword="true"/> when it was the channel's last one.</summary>
    public bool Remove(RedisSubscription subscription)
    {
        lock (_gate)
        {
            var key = (subscription.Channel, subscription.IsPattern);
            if (!_subscriptions.TryGetValue(key, out var list) || !list.Remove(subscription))
            {
                return false;
            }

            if (list.Count == 0)
            {
                _subscriptions.Remove(key);
                return true;
            }

            return false;
        }
    }

    public List<(string Name, bool IsPattern)> Snapshot()
    {
        lock (_gate)
        {
            return [.. _subscriptions.Keys];
        }
    }

    public List<RedisSubscription> Find(string name, bool isPattern)
    {
        lock (_gate)
        {
            return _subscriptions.TryGetValue((name, isPattern), out var list) ? [.. list] : [];
        }
    }

    /// <summary>Delivers a <c>message</c> or <c>pmessage</c> push to its handlers.</summary>
    public void Dispatch(RedisResult push)
    {
        var items = push.Items;
        var isPattern = items.Count == 4;
        var pattern = isPattern ? items[1].ToString() : null;
        var channel = items[isPattern ? 2 : 1].ToString();
        var message = new RedisPubSubMessage(channel, pattern, items[isPattern ? 3 : 2].ToValue());
        RedisSubscription[] handlers;
        lock (_gate)
        {
            if (!_subscriptions.TryGetValue((pattern ?? channel, isPattern), out var list))
            {
                return;
            }

            handlers = [.. list];
        }

        foreach (var subscription in handlers)
        {
            try
            {
                subscription.Handler(message);
            }
#pragma warning disable CA1031 // A faulty handler must not take down the pub/sub connection; it is logged.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                RedisLog.HandlerFailed(logger, channel, ex);
            }
        }
    }
}
