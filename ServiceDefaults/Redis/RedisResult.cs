using System.Globalization;
using System.Text;

namespace Reference.Redis;

/// <summary>The RESP2 type of a <see cref="RedisResult"/>.</summary>
public enum RedisResultKind
{
    /// <summary>A nil bulk string or nil array.</summary>
    Null,

    /// <summary>A simple string (<c>+OK</c>).</summary>
    SimpleString,

    /// <summary>An error reply (<c>-ERR ...</c>); the commands throw <see cref="RedisServerException"/> for these.</summary>
    Error,

    /// <summary>An integer (<c>:1</c>).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "RESP2 names this type 'Integer'.")]
    Integer,

    /// <summary>A binary-safe bulk string (<c>$3\r\nfoo</c>).</summary>
    BulkString,

    /// <summary>An array of results.</summary>
    Array,
}

/// <summary>One parsed RESP2 reply, as returned by <see cref="RedisClient.ExecuteAsync(string, RedisValue[])"/> and scripts.</summary>
public readonly struct RedisResult
{
    private static readonly RedisResult[] EmptyArray = [];
    private readonly object? _payload;
    private readonly long _integer;

    private RedisResult(RedisResultKind kind, object? payload, long integer)
    {
        Kind = kind;
        _payload = payload;
        _integer = integer;
    }

    /// <summary>The reply's RESP2 type.</summary>
    public RedisResultKind Kind { get; }

    /// <summary><see langword="true"/> for a nil bulk string or nil array.</summary>
    public bool IsNull => Kind == RedisResultKind.Null;

    /// <summary>The elements of an array reply.</summary>
    /// <exception cref="InvalidCastException">The reply is not an array.</exception>
    public IReadOnlyList<RedisResult> Items => Kind switch
    {
        RedisResultKind.Array => (RedisResult[])_payload!,
        RedisResultKind.Null => EmptyArray,
        _ => throw new InvalidCastException($"A Redis {Kind} reply is not an array."),
    };

    internal static RedisResult Nil => new(RedisResultKind.Null, null, 0);

    internal static RedisResult FromSimpleString(string value) => new(RedisResultKind.SimpleString, value, 0);

    internal static RedisResult FromError(string message) => new(RedisResultKind.Error, message, 0);

    internal static RedisResult FromInteger(long value) => new(RedisResultKind.Integer, null, value);

    internal static RedisResult FromBulk(byte[] value) => new(RedisResultKind.BulkString, value, 0);

    internal static RedisResult FromArray(RedisResult[] items) => new(RedisResultKind.Array, items, 0);

    /// <summary>The reply as an integer (an integer reply, or a string holding one).</summary>
    /// <exception cref="InvalidCastException">The reply cannot be read as an integer.</exception>
    public long ToInt64() => Kind switch
    {
        RedisResultKind.Integer => _integer,
        RedisResultKind.BulkString or RedisResultKind.SimpleString
            when long.TryParse(ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => throw new InvalidCastException($"A Redis {Kind} reply is not an integer."),
    };

    /// <summary>The reply as a binary-safe value (nil for a nil reply).</summary>
    /// <exception cref="InvalidCastException">The reply is an array or an error.</exception>
    public RedisValue ToValue() => Kind switch
    {
        RedisResultKind.Null => RedisValue.Null,
        RedisResultKind.BulkString => RedisValue.FromBytes((byte[])_payload!),
        RedisResultKind.SimpleString => RedisValue.FromString((string)_payload!),
        RedisResultKind.Integer => RedisValue.FromInt64(_integer),
        _ => throw new InvalidCastException($"A Redis {Kind} reply is not a single value."),
    };

    /// <summary>The raw bytes of a bulk string reply (no copy), or <see langword="null"/> for nil.</summary>
    public byte[]? ToBytes() => Kind switch
    {
        RedisResultKind.Null => null,
        RedisResultKind.BulkString => (byte[])_payload!,
        _ => ToValue().ToArray(),
    };

    /// <summary>The reply as text: strings decoded as UTF-8, integers in decimal, the message for errors, empty for nil and arrays.</summary>
    public override string ToString() => Kind switch
    {
        RedisResultKind.SimpleString or RedisResultKind.Error => (string)_payload!,
        RedisResultKind.BulkString => Encoding.UTF8.GetString((byte[])_payload!),
        RedisResultKind.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        _ => string.Empty,
    };

    internal bool IsBulkEqual(ReadOnlySpan<byte> expected) =>
        Kind == RedisResultKind.BulkString && ((byte[])_payload!).AsSpan().SequenceEqual(expected);
}
