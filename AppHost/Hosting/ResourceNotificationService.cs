using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Reference.AppHost.Hosting;

/// <summary>
/// The observable state of every resource: current snapshots, their history, a change stream and
/// waits on a condition. The console table reads it, and so will the dashboard.
/// </summary>
public sealed class ResourceNotificationService
{
    private readonly object _gate = new();
    private readonly Dictionary<string, ResourceSnapshot> _current = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<ResourceSnapshot>> _history = new(StringComparer.Ordinal);
    private readonly List<Channel<ResourceSnapshot>> _watchers = [];
    private readonly List<Waiter> _waiters = [];
    private readonly List<Action<ResourceSnapshot>> _observers = [];
    private readonly TimeProvider _timeProvider;

    internal ResourceNotificationService(TimeProvider timeProvider) => _timeProvider = timeProvider;

    /// <summary>The current snapshot of every resource, in declaration order.</summary>
    public IReadOnlyList<ResourceSnapshot> GetSnapshots()
    {
        lock (_gate)
        {
            return [.. _current.Values];
        }
    }

    /// <summary>The current snapshot of a resource.</summary>
    /// <exception cref="KeyNotFoundException">There is no such resource.</exception>
    public ResourceSnapshot GetSnapshot(string resourceName)
    {
        lock (_gate)
        {
            return _current.TryGetValue(resourceName, out var snapshot)
                ? snapshot
                : throw new KeyNotFoundException($"There is no resource named '{resourceName}'.");
        }
    }

    /// <summary>Every snapshot a resource went through, oldest first (state and health transitions).</summary>
    public IReadOnlyList<ResourceSnapshot> GetHistory(string resourceName)
    {
        lock (_gate)
        {
            return _history.TryGetValue(resourceName, out var history) ? [.. history] : [];
        }
    }

    /// <summary>Streams the current snapshot of every resource, then every change, until cancelled.</summary>
    /// <param name="cancellationToken">Ends the stream.</param>
    public async IAsyncEnumerable<ResourceSnapshot> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<ResourceSnapshot>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            foreach (var snapshot in _current.Values)
            {
                channel.Writer.TryWrite(snapshot);
            }

            _watchers.Add(channel);
        }

        try
        {
            await foreach (var snapshot in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return snapshot;
            }
        }
        finally
        {
            lock (_gate)
            {
                _watchers.Remove(channel);
            }
        }
    }

    /// <summary>Waits until a resource's snapshot satisfies <paramref name="predicate"/>.</summary>
    /// <param name="resourceName">The resource.</param>
    /// <param name="predicate">The condition, e.g. <c>s =&gt; s.IsReady</c>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The first snapshot that satisfies the condition.</returns>
    public Task<ResourceSnapshot> WaitForResourceAsync(
        string resourceName, Func<ResourceSnapshot, bool> predicate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        Waiter waiter;
        lock (_gate)
        {
            var current = GetSnapshot(resourceName);
            if (predicate(current))
            {
                return Task.FromResult(current);
            }

            waiter = new Waiter(resourceName, predicate);
            _waiters.Add(waiter);
        }

        return WaitAsync(waiter, cancellationToken);
    }

    /// <summary>
    /// Calls <paramref name="observer"/> for every change, synchronously and in order, before anyone waiting on the
    /// change is released (the load balancer routes by it). It must be quick and must not publish.
    /// </summary>
    internal void Observe(Action<ResourceSnapshot> observer)
    {
        lock (_gate)
        {
            _observers.Add(observer);
        }
    }

    internal void Initialize(Resource resource) =>
        Publish(resource.Name, _ => new ResourceSnapshot(
            resource.Name, resource.ResourceType, KnownResourceState.NotStarted, ResourceHealthStatus.Unknown,
            [], [], null, null, _timeProvider.GetUtcNow()));

    /// <summary>Applies a change; records and broadcasts it only when something visible changed.</summary>
    internal ResourceSnapshot Publish(string resourceName, Func<ResourceSnapshot?, ResourceSnapshot> update)
    {
        List<Waiter> satisfied = [];
        ResourceSnapshot next;
        lock (_gate)
        {
            _current.TryGetValue(resourceName, out var previous);
            next = update(previous) with { Timestamp = _timeProvider.GetUtcNow() };
            if (previous is not null && SameVisibleState(previous, next))
            {
                return previous;
            }

            _current[resourceName] = next;
            if (!_history.TryGetValue(resourceName, out var history))
            {
                history = [];
                _history[resourceName] = history;
            }

            history.Add(next);
            foreach (var observer in _observers)
            {
                observer(next);
            }

            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(next);
            }

            foreach (var waiter in _waiters.Where(w => w.ResourceName == resourceName && w.Predicate(next)).ToList())
            {
                _waiters.Remove(waiter);
                satisfied.Add(waiter);
            }
        }

        foreach (var waiter in satisfied)
        {
            waiter.Completion.TrySetResult(next);
        }

        return next;
    }

    private async Task<ResourceSnapshot> WaitAsync(Waiter waiter, CancellationToken cancellationToken)
    {
        await using var registration = cancellationToken.Register(() =>
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
            }

            waiter.Completion.TrySetCanceled(cancellationToken);
        });
        return await waiter.Completion.Task;
    }

    private static bool SameVisibleState(ResourceSnapshot a, ResourceSnapshot b) =>
        a.State == b.State && a.Health == b.Health && a.ExitCode == b.ExitCode && a.Message == b.Message
        && a.Urls.SequenceEqual(b.Urls) && a.ProcessIds.SequenceEqual(b.ProcessIds)
        && a.Replicas.SequenceEqual(b.Replicas) && a.LoadBalancerUrl == b.LoadBalancerUrl;

    private sealed class Waiter(string resourceName, Func<ResourceSnapshot, bool> predicate)
    {
        public string ResourceName { get; } = resourceName;

        public Func<ResourceSnapshot, bool> Predicate { get; } = predicate;

        public TaskCompletionSource<ResourceSnapshot> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
