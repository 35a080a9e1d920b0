using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Text;

namespace Reference.Redis.Protocol;

/// <summary>Writes commands as RESP2 arrays of bulk strings straight into the pipe's buffer.</summary>
internal static class RespWriter
{
    private static readonly ConcurrentDictionary<string, byte[]> CommandHeaders = new(StringComparer.Ordinal);

    public static void WriteCommand(IBufferWriter<byte> writer, string command, RedisValue[] args)
    {
        WriteLength(writer, (byte)'*', args.Length + 1);
        writer.Write(CommandHeaders.GetOrAdd(command, static name => EncodeBulk(name)));
        foreach (var arg in args)
        {
            WriteBulk(writer, arg);
        }
    }

    private static void WriteBulk(IBufferWriter<byte> writer, RedisValue value)
    {
        if (value.IsString(out var text))
        {
            text ??= string.Empty;
            var byteCount = Encoding.UTF8.GetByteCount(text);
            WriteLength(writer, (byte)'$', byteCount);
            if (byteCount <= 4096)
            {
                var span = writer.GetSpan(byteCount + 2);
                var written = Encoding.UTF8.GetBytes(text, span);
                span[written] = (byte)'\r';
                span[written + 1] = (byte)'\n';
                writer.Advance(written + 2);
                return;
            }

            Encoding.UTF8.GetBytes(text, writer);
        }
        else
        {
            var bytes = value.BytesSpan;
            WriteLength(writer, (byte)'$', bytes.Length);
            writer.Write(bytes);
        }

        writer.Write("\r\n"u8);
    }

    private static void WriteLength(IBufferWriter<byte> writer, byte prefix, int length)
    {
        var span = writer.GetSpan(16);
        span[0] = prefix;
        Utf8Formatter.TryFormat(length, span[1..], out var written);
        span[written + 1] = (byte)'\r';
        span[written + 2] = (byte)'\n';
        writer.Advance(written + 3);
    }

    private static byte[] EncodeBulk(string command)
    {
        var writer = new ArrayBufferWriter<byte>();
        WriteBulk(writer, command);
        return writer.WrittenSpan.ToArray();
    }
}
