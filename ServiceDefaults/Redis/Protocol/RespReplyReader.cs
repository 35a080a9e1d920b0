using System.Buffers;

namespace Reference.Redis.Protocol;

/// <summary>
/// Reads replies from a connection's stream, resuming where it stopped: elements of a large array that
/// were already received are kept (and their bytes released from the pipe), so a reply that arrives in
/// many pieces is parsed once, not once per piece. One instance per connection.
/// </summary>
internal sealed class RespReplyReader(int maxLength)
{
    private readonly Stack<PartialArray> _open = new();

    /// <summary>Whether an array reply has been partly read.</summary>
    public bool InProgress => _open.Count > 0;

    /// <summary>Tries to complete one top-level reply; consumes every complete element it read, even when it returns <see langword="false"/>.</summary>
    /// <exception cref="RedisProtocolException">The bytes are not valid RESP2 or exceed the limits.</exception>
    public bool TryRead(ref SequenceReader<byte> reader, out RedisResult result)
    {
        while (true)
        {
            var start = reader.Consumed;
            if (!RespParser.TryReadToken(ref reader, maxLength, out var element, out var arrayCount))
            {
                reader.Rewind(reader.Consumed - start);
                result = default;
                return false;
            }

            if (arrayCount > 0)
            {
                if (_open.Count >= RespParser.MaxDepth)
                {
                    throw new RedisProtocolException($"Arrays are nested deeper than {RespParser.MaxDepth}.");
                }

                _open.Push(new PartialArray(arrayCount));
                continue;
            }

            if (arrayCount == 0)
            {
                element = RedisResult.FromArray([]);
            }

            // Place the element in its enclosing array; each array that fills up becomes an element itself.
            while (true)
            {
                if (_open.Count == 0)
                {
                    result = element;
                    return true;
                }

                var top = _open.Peek();
                top.Items.Add(element);
                if (top.Items.Count < top.Count)
                {
                    break;
                }

                _open.Pop();
                element = RedisResult.FromArray([.. top.Items]);
            }
        }
    }

    private sealed class PartialArray(long count)
    {
        public long Count { get; } = count;

        // Grown as elements arrive: a hostile header claiming millions of elements allocates nothing up front.
        public List<RedisResult> Items { get; } = new((int)Math.Min(count, 1024));
    }
}
