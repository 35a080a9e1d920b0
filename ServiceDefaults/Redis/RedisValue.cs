using System.Globalization;
using System.Text;

namespace Reference.Redis;

/// <summary>
/// A binary-safe Redis value: a byte sequence, a UTF-8 string, or nothing (a nil reply or a missing key).
/// Converts implicitly from <see cref="string"/>, <see cref="byte"/>[], <see cref="ReadOnlyMemory{T}"/> of
/// bytes and <see cref="long"/>, so every command takes any of them.
/// </summary>
/// <remarks>
/// Strings are encoded as UTF-8 straight into the socket buffer when the command is written; byte values
/// are copied as they are (every byte value, including <c>\r\n</c>, is safe).
/// </remarks>
public readonly struct RedisValue : IEquatable<RedisValue>
{
    private readonly string? _string;
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly bool _isBytes;

    private RedisValue(string? value)
    {
        _string = value;
    }

    private RedisValue(ReadOnlyMemory<byte> value)
    {
        _bytes = value;
        _isBytes = true;
    }

    /// <summary>The nil value (a missing key, a nil reply).</summary>
    public static RedisValue Null => default;

    /// <summary><see langword="true"/> when this is the nil value.</summary>
    public bool IsNull => _string is null && !_isBytes;

    /// <summary><see langword="true"/> when this is not the nil value.</summary>
    public bool HasValue => !IsNull;

    /// <summary>The value as bytes (UTF-8 for a string value, empty for nil).</summary>
    public ReadOnlyMemory<byte> Memory => _isBytes ? _bytes : _string is null ? ReadOnlyMemory<byte>.Empty : Encoding.UTF8.GetBytes(_string);

    /// <summary>Creates a value from bytes; the memory is not copied, so do not change it until the command completes.</summary>
    public static RedisValue FromMemory(ReadOnlyMemory<byte> value) => new(value);

    /// <summary>Creates a value from bytes (null gives <see cref="Null"/>); the array is not copied.</summary>
    public static RedisValue FromBytes(byte[]? value) => value is null ? Null : new RedisValue(value.AsMemory());

    /// <summary>Creates a value from a string, sent as UTF-8 (null gives <see cref="Null"/>).</summary>
    public static RedisValue FromString(string? value) => new(value);

    /// <summary>Creates a value from an integer, sent as its decimal text as Redis expects.</summary>
    public static RedisValue FromInt64(long value) => new(value.ToString(CultureInfo.InvariantCulture));

    /// <inheritdoc cref="FromString(string?)"/>
    public static implicit operator RedisValue(string? value) => FromString(value);

    /// <inheritdoc cref="FromBytes(byte[])"/>
    public static implicit operator RedisValue(byte[]? value) => FromBytes(value);

    /// <inheritdoc cref="FromMemory(ReadOnlyMemory{byte})"/>
    public static implicit operator RedisValue(ReadOnlyMemory<byte> value) => FromMemory(value);

    /// <inheritdoc cref="FromInt64(long)"/>
    public static implicit operator RedisValue(long value) => FromInt64(value);

    /// <summary>The value decoded as UTF-8, or <see langword="null"/> for nil.</summary>
    public static explicit operator string?(RedisValue value) => value.IsNull ? null : value.ToString();

    /// <summary>The value's bytes (a copy), or <see langword="null"/> for nil.</summary>
    public static explicit operator byte[]?(RedisValue value) => value.ToArray();

    /// <summary>Equality by content: a string and its UTF-8 bytes are equal.</summary>
    public static bool operator ==(RedisValue left, RedisValue right) => left.Equals(right);

    /// <summary>Inequality by content.</summary>
    public static bool operator !=(RedisValue left, RedisValue right) => !left.Equals(right);

    /// <summary>The value's bytes as a new array, or <see langword="null"/> for nil.</summary>
    public byte[]? ToArray() => IsNull ? null : _isBytes ? _bytes.ToArray() : Encoding.UTF8.GetBytes(_string!);

    /// <summary>The value decoded as UTF-8; the empty string for nil (use the explicit string conversion to tell them apart).</summary>
    public override string ToString() => _string ?? (_isBytes ? Encoding.UTF8.GetString(_bytes.Span) : string.Empty);

    /// <summary>Parses the value as a decimal integer.</summary>
    /// <exception cref="FormatException">The value is nil or not an integer.</exception>
    public long ToInt64()
    {
        var ok = _isBytes
            ? long.TryParse(_bytes.Span, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)
            : long.TryParse(_string, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out parsed);
        return ok ? parsed : throw new FormatException("The Redis value is not an integer.");
    }

    /// <inheritdoc/>
    public bool Equals(RedisValue other)
    {
        if (IsNull || other.IsNull)
        {
            return IsNull && other.IsNull;
        }

        if (!_isBytes && !other._isBytes)
        {
            return string.Equals(_string, other._string, StringComparison.Ordinal);
        }

        return Memory.Span.SequenceEqual(other.Memory.Span);
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is RedisValue other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        if (IsNull)
        {
            return 0;
        }

        var hash = new HashCode();
        hash.AddBytes(Memory.Span);
        return hash.ToHashCode();
    }

    internal int GetByteCount() => _isBytes ? _bytes.Length : _string is null ? 0 : Encoding.UTF8.GetByteCount(_string);

    internal bool IsString(out string? value)
    {
        value = _string;
        return !_isBytes;
    }

    internal ReadOnlySpan<byte> BytesSpan => _bytes.Span;
}
