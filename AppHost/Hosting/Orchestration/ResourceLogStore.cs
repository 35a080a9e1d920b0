namespace Reference.AppHost.Hosting.Orchestration;

/// <summary>Keeps the last lines of every resource's stdout/stderr in bounded ring buffers.</summary>
internal sealed class ResourceLogStore(int capacityPerResource)
{
    private readonly Dictionary<string, Queue<string>> _buffers = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    public int CapacityPerResource { get; } = capacityPerResource;

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
