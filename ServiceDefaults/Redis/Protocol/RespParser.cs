using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Reference.Redis.Protocol;

/// <summary>
/// Parses RESP2 replies straight from the pipe's buffer. A reply that is not complete yet leaves the
/// reader where it started, so the caller can wait for more bytes and try again.
/// </summary>
internal static class RespParser
{
    /// <summary>Longest header or simple-string line accepted before the reply is declared malformed.</summary>
    internal const int MaxLineLength = 64 * 1024;

    internal const int MaxDepth = 32;
    private static readonly string Ok = "OK";
    private static readonly string Pong = "PONG";

    /// <summary>Tries to read one complete reply; returns <see langword="false"/> (reader unchanged) when more bytes are needed.</summary>
    /// <exception cref="RedisProtocolException">The bytes are not valid RESP2, or a length exceeds <paramref name="maxLength"/>.</exception>
    public static bool TryRead(ref SequenceReader<byte> reader, int maxLength, out RedisResult result)
    {
        var start = reader.Consumed;
        if (TryReadCore(ref reader, maxLength, 0, out result))
        {
            return true;
        }

        reader.Rewind(reader.Consumed - start);
        return false;
    }

    private static bool TryReadCore(ref SequenceReader<byte> reader, int maxLength, int depth, out RedisResult result)
    {
        result = default;
        if (!TryReadToken(ref reader, maxLength, out var token, out var arrayCount))
        {
            return false;
        }

        if (arrayCount < 0)
        {
            result = token;
            return true;
        }

        if (depth >= MaxDepth)
        {
            throw new RedisProtocolException($"Arrays are nested deeper than {MaxDepth}.");
        }

        // Every element takes at least 3 bytes (e.g. ":1\r\n" is 4): don't allocate for elements not yet received.
        if (reader.Remaining < arrayCount * 3)
        {
            return false;
        }

        var items = arrayCount == 0 ? [] : new RedisResult[arrayCount];
        for (var i = 0; i < items.Length; i++)
        {
            if (!TryReadCore(ref reader, maxLength, depth + 1, out items[i]))
            {
                return false;
            }
        }

        result = RedisResult.FromArray(items);
        return true;
    }

    /// <summary>
    /// Reads one scalar reply, a nil array, or the header of a non-nil array. For an array header
    /// <paramref name="arrayCount"/> is its element count (0 or more); otherwise it is -1 and
    /// <paramref name="scalar"/> holds the reply. Returns <see langword="false"/> when more bytes are needed
    /// (the reader may then have moved: callers rewind).
    /// </summary>
    internal static bool TryReadToken(ref SequenceReader<byte> reader, int maxLength, out RedisResult scalar, out long arrayCount)
    {
        scalar = default;
        arrayCount = -1;
        if (!reader.TryRead(out var prefix))
        {
            return false;
        }

        switch (prefix)
        {
            case (byte)'+':
                if (!TryReadLine(ref reader, out var simple))
                {
                    return false;
                }

                scalar = RedisResult.FromSimpleString(DecodeSimple(simple));
                return true;
            case (byte)'-':
                if (!TryReadLine(ref reader, out var error))
                {
                    return false;
                }

                scalar = RedisResult.FromError(Encoding.UTF8.GetString(error));
                return true;
            case (byte)':':
                if (!TryReadLine(ref reader, out var integerLine))
                {
                    return false;
                }

                scalar = RedisResult.FromInteger(ParseInteger(integerLine));
                return true;
            case (byte)'$':
                return TryReadBulk(ref reader, maxLength, out scalar);
            case (byte)'*':
                if (!TryReadLine(ref reader, out var countLine))
                {
                    return false;
                }

                var count = ParseInteger(countLine);
                if (count == -1)
                {
                    scalar = RedisResult.Nil;
                    return true;
                }

                if (count < 0 || count > maxLength)
                {
                    throw new RedisProtocolException($"Array length {count} is outside 0..{maxLength}.");
                }

                arrayCount = count;
                return true;
            default:
                throw new RedisProtocolException($"Unexpected RESP type byte 0x{prefix:X2}.");
        }
    }

    private static bool TryReadBulk(ref SequenceReader<byte> reader, int maxLength, out RedisResult result)
    {
        result = default;
        if (!TryReadLine(ref reader, out var lengthLine))
        {
            return false;
        }

        var length = ParseInteger(lengthLine);
        if (length == -1)
        {
            result = RedisResult.Nil;
            return true;
        }

        if (length < 0 || length > maxLength)
        {
            throw new RedisProtocolException($"Bulk string length {length} is outside 0..{maxLength}.");
        }

        if (reader.Remaining < length + 2)
        {
            return false;
        }

        var payload = GC.AllocateUninitializedArray<byte>((int)length);
        reader.TryCopyTo(payload);
        reader.Advance(length);
        if (!reader.IsNext("\r\n"u8, advancePast: true))
        {
            throw new RedisProtocolException("A bulk string is not followed by CRLF.");
        }

        result = RedisResult.FromBulk(payload);
        return true;
    }

    private static bool TryReadLine(ref SequenceReader<byte> reader, out ReadOnlySpan<byte> line)
    {
        line = default;
        if (reader.UnreadSpan.IndexOf((byte)'\n') is var index and >= 0)
        {
            var withCr = reader.UnreadSpan[..(index + 1)];
            if (withCr.Length < 2 || withCr[^2] != '\r')
            {
                throw new RedisProtocolException("A RESP line ends in LF without CR.");
            }

            line = withCr[..^2];
            if (line.Length > MaxLineLength)
            {
                throw new RedisProtocolException($"A RESP line is longer than {MaxLineLength} bytes.");
            }

            reader.Advance(index + 1);
            return true;
        }

        return TryReadLineSlow(ref reader, out line);
    }

    private static bool TryReadLineSlow(ref SequenceReader<byte> reader, out ReadOnlySpan<byte> line)
    {
        line = default;
        if (!reader.TryReadTo(out ReadOnlySequence<byte> sequence, (byte)'\n', advancePastDelimiter: true))
        {
            if (reader.Remaining > MaxLineLength)
            {
                throw new RedisProtocolException($"A RESP line is longer than {MaxLineLength} bytes.");
            }

            return false;
        }

        if (sequence.Length > MaxLineLength + 1)
        {
            throw new RedisProtocolException($"A RESP line is longer than {MaxLineLength} bytes.");
        }

        var bytes = sequence.ToArray();
        if (bytes.Length == 0 || bytes[^1] != '\r')
        {
            throw new RedisProtocolException("A RESP line ends in LF without CR.");
        }

        line = bytes.AsSpan(0, bytes.Length - 1);
        return true;
    }

    private static long ParseInteger(ReadOnlySpan<byte> line) =>
        Utf8Parser.TryParse(line, out long value, out var consumed) && consumed == line.Length && line.Length > 0
            ? value
            : throw new RedisProtocolException("A RESP integer or length is malformed.");

    private static string DecodeSimple(ReadOnlySpan<byte> line) => line switch
    {
        [(byte)'O', (byte)'K'] => Ok,
        [(byte)'P', (byte)'O', (byte)'N', (byte)'G'] => Pong,
        _ => Encoding.UTF8.GetString(line),
    };
}
