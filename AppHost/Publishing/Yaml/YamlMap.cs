using System.Collections;

namespace Reference.AppHost.Publishing.Yaml;

/// <summary>
/// A YAML mapping that keeps insertion order (Kubernetes readers do not care, people do). Values are
/// <see cref="YamlMap"/>, <see cref="IReadOnlyList{T}"/> of values, <see cref="string"/>, <see cref="int"/> or <see cref="bool"/>.
/// </summary>
internal sealed class YamlMap : IEnumerable<KeyValuePair<string, object>>
{
    private readonly List<KeyValuePair<string, object>> _entries = [];

    public int Count => _entries.Count;

    public object this[string key]
    {
        get => _entries.Find(e => e.Key == key).Value ?? throw new KeyNotFoundException(key);
        set
        {
            var index = _entries.FindIndex(e => e.Key == key);
            if (index < 0)
            {
                _entries.Add(new(key, value));
            }
            else
            {
                _entries[index] = new(key, value);
            }
        }
    }

    /// <summary>Adds an entry; a null value is skipped, so optional fields read naturally in initializers.</summary>
    public void Add(string key, object? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (value is null)
        {
            return;
        }

        if (_entries.Exists(e => e.Key == key))
        {
            throw new InvalidOperationException($"Duplicate YAML key '{key}'.");
        }

        _entries.Add(new(key, value));
    }

    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
