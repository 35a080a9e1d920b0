namespace Reference.AppHost.Hosting.Orchestration;

/// <summary>Keeps the last lines of every resource's stdout/stderr in bounded ring buffers.</summary>
internal sealed class ResourceLogStore(int capacityPerResource)
{
    private readonly Dictionary<string, Queue<string>> _buffers = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    public int CapacityPerResource { get; } = capacityPerResource;

    /// <summary>The buffer of one replica of a replicated resource (its lines are also in the resource's own buffer).</summary>
    public static string ReplicaKey(string resourceName, int replica) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{resourceName}#{replica}");

    public void Append(string resourceName, string line)
    {
        lock (_gate)
        {
            if (!_buffers.TryGetValue(resourceName, out var buffer))
            {
                buffer = new Queue<string>();
                _buffers[resourceName] = buffer;
            }

            if (buffer.Count == CapacityPerResource)
            {
                buffer.Dequeue();
            }

            buffer.Enqueue(line);
        }
    }

    public IReadOnlyList<string> GetTail(string resourceName, int maxLines)
    {
        lock (_gate)
        {
            return _buffers.TryGetValue(resourceName, out var buffer)
                ? [.. buffer.Skip(Math.Max(0, buffer.Count - maxLines))]
                : [];
        }
    }
}
