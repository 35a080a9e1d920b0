using System.Buffers;
using System.Globalization;
using System.Text;
using Reference.Redis.Protocol;

namespace Reference.Redis.Tests;

public sealed class RespParserTests
{
    public static TheoryData<string, RedisResultKind, string> ValidReplies => new()
    {
        { "+OK\r\n", RedisResultKind.SimpleString, "OK" },
        { "-WRONGTYPE Operation\r\n", RedisResultKind.Error, "WRONGTYPE Operation" },
        { ":-42\r\n", RedisResultKind.Integer, "-42" },
        { "$0\r\n\r\n", RedisResultKind.BulkString, "" },
        { "$4\r\na\r\nb\r\n", RedisResultKind.BulkString, "a\r\nb" },
        { "$-1\r\n", RedisResultKind.Null, "" },
        { "*-1\r\n", RedisResultKind.Null, "" },
        { "*0\r\n", RedisResultKind.Array, "" },
        { "*3\r\n:1\r\n$-1\r\n*1\r\n+x\r\n", RedisResultKind.Array, "" },
    };

    [Theory]
    [MemberData(nameof(ValidReplies))]
    public void TryRead_CompleteReply_ParsesKindAndText(string wire, RedisResultKind kind, string text)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(wire)));

        Assert.True(RespParser.TryRead(ref reader, 1024, out var result));

        Assert.Equal(kind, result.Kind);
        Assert.Equal(text, result.ToString());
        Assert.True(reader.End);
    }

    [Theory]
    [MemberData(nameof(ValidReplies))]
    public void TryRead_EveryTruncation_NeedsMoreAndConsumesNothing(string wire, RedisResultKind kind, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(wire);
        for (var length = 0; length < bytes.Length; length++)
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes, 0, length));

            Assert.False(RespParser.TryRead(ref reader, 1024, out _));
            Assert.Equal(0, reader.Consumed);
        }

        var complete = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        Assert.True(RespParser.TryRead(ref complete, 1024, out var result));
        Assert.Equal(kind, result.Kind);
        Assert.Equal(text, result.ToString());
    }

    [Fact]
    public void TryRead_ReplySplitAcrossOneByteSegments_Parses()
    {
        var sequence = Segments.Create(Encoding.UTF8.GetBytes("*2\r\n$5\r\nhello\r\n:7\r\n+NEXT\r\n"));
        var reader = new SequenceReader<byte>(sequence);

        Assert.True(RespParser.TryRead(ref reader, 1024, out var array));
        Assert.True(RespParser.TryRead(ref reader, 1024, out var next));

        Assert.Equal("hello", array.Items[0].ToString());
        Assert.Equal(7, array.Items[1].ToInt64());
        Assert.Equal("NEXT", next.ToString());
    }

    [Theory]
    [MemberData(nameof(ValidReplies))]
    public void ReplyReader_FedOneByteAtATime_ParsesEachReplyOnce(string wire, RedisResultKind kind, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(wire + wire);
        var replies = new RespReplyReader(1024);
        var pending = new List<byte>();
        var results = new List<RedisResult>();
        foreach (var b in bytes)
        {
            pending.Add(b);
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(pending.ToArray()));
            while (replies.TryRead(ref reader, out var result))
            {
                results.Add(result);
            }

            pending.RemoveRange(0, (int)reader.Consumed);
        }

        Assert.Equal(2, results.Count);
        Assert.All(results, result =>
        {
            Assert.Equal(kind, result.Kind);
            Assert.Equal(text, result.ToString());
        });
        Assert.Empty(pending);
        Assert.False(replies.InProgress);
    }

    [Fact]
    public void ReplyReader_LargeArrayInChunks_KeepsReceivedElements()
    {
        var wire = new StringBuilder("*1000\r\n");
        for (var i = 0; i < 1000; i++)
        {
            wire.Append(CultureInfo.InvariantCulture, $"$4\r\n{i:D4}\r\n");
        }

        var bytes = Encoding.ASCII.GetBytes(wire.ToString());
        var replies = new RespReplyReader(1 << 20);
        var offset = 0;
        RedisResult? complete = null;
        while (offset < bytes.Length)
        {
            var length = Math.Min(100, bytes.Length - offset);
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes, offset, length));
            if (replies.TryRead(ref reader, out var result))
            {
                complete = result;
            }

            Assert.True(reader.Consumed > 0 || length < 10);
            offset += (int)reader.Consumed;
            if (reader.Consumed == 0)
            {
                break;
            }
        }

        Assert.NotNull(complete);
        Assert.Equal(1000, complete.Value.Items.Count);
        Assert.Equal("0999", complete.Value.Items[999].ToString());
    }

    [Fact]
    public void ReplyReader_HugeArrayHeader_AllocatesNothingAndWaits()
    {
        var replies = new RespReplyReader(int.MaxValue);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>("*2000000000\r\n:1\r\n"u8.ToArray()));

        Assert.False(replies.TryRead(ref reader, out _));

        Assert.True(replies.InProgress);
        Assert.Equal(17, reader.Consumed);
    }

    [Theory]
    [InlineData("$1025\r\n")]
    [InlineData("*1025\r\n")]
    [InlineData("$-2\r\n")]
    [InlineData("%1\r\n")]
    [InlineData(":1.5\r\n")]
    public void TryRead_InvalidOrOversized_ThrowsProtocolException(string wire)
    {
        Assert.Throws<RedisProtocolException>(() =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(wire)));
            RespParser.TryRead(ref reader, 1024, out _);
        });
    }

    [Fact]
    public void TryRead_DeeplyNestedArrays_ThrowsProtocolException()
    {
        var wire = string.Concat(Enumerable.Repeat("*1\r\n", 40)) + ":1\r\n";

        Assert.Throws<RedisProtocolException>(() =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(wire)));
            RespParser.TryRead(ref reader, 1024, out _);
        });
    }

    private sealed class Segments : ReadOnlySequenceSegment<byte>
    {
        private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Create(byte[] bytes)
        {
            var first = new Segments(bytes.AsMemory(0, 1), 0);
            var last = first;
            for (var i = 1; i < bytes.Length; i++)
            {
                var next = new Segments(bytes.AsMemory(i, 1), i);
                last.Next = next;
                last = next;
            }

            return new ReadOnlySequence<byte>(first, 0, last, 1);
        }
    }
}
