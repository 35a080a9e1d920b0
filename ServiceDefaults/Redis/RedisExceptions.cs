namespace Reference.Redis;

/// <summary>The base of every exception the Redis client throws. Messages never contain values or passwords.</summary>
public class RedisException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RedisException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RedisException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public RedisException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// No connection to the server was available for the command, or the connection was lost while the
/// command waited for its reply (the command may or may not have been executed).
/// </summary>
public class RedisConnectionException : RedisException
{
    /// <summary>Creates the exception.</summary>
    public RedisConnectionException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RedisConnectionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public RedisConnectionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception naming the endpoint.</summary>
    public RedisConnectionException(string endPoint, string message, Exception? innerException)
        : base(message, innerException)
    {
        EndPoint = endPoint;
    }

    /// <summary>The server endpoint (<c>host:port</c>) the client failed to reach.</summary>
    public string? EndPoint { get; }
}

/// <summary>The server rejected the credentials (wrong password, unknown or disabled ACL user).</summary>
public sealed class RedisAuthenticationException : RedisConnectionException
{
    /// <summary>Creates the exception.</summary>
    public RedisAuthenticationException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RedisAuthenticationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public RedisAuthenticationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception naming the endpoint.</summary>
    public RedisAuthenticationException(string endPoint, string message, Exception? innerException)
        : base(endPoint, message, innerException)
    {
    }
}

/// <summary>The client is disconnected and its backlog of waiting commands is full; the command was not queued.</summary>
public sealed class RedisBacklogFullException : RedisConnectionException
{
    /// <summary>Creates the exception.</summary>
    public RedisBacklogFullException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RedisBacklogFullException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public RedisBacklogFullException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception naming the endpoint.</summary>
    public RedisBacklogFullException(string endPoint, string message, Exception? innerException)
        : base(endPoint, message, innerException)
    {
    }
}

/// <summary>
/// No reply arrived within the command timeout (<c>syncTimeout</c>). A command that was already sent
/// has reset its connection, so no later command can receive its reply.
/// </summary>
public sealed class RedisTimeoutException : RedisException
{
    /// <summary>Creates the exception.</summary>
    public RedisTimeoutException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RedisTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public RedisTimeoutException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The server sent bytes that are not valid RESP2 (malformed, truncated or oversized). The connection was
/// reset: the command whose reply was being read gets this exception, the others in flight a
/// <see cref="RedisConnectionException"/>; later commands use a new connection.
/// </summary>
public sealed class RedisProtocolException : RedisConnectionException
{
    /// <summary>Creates the exception.</summary>
    public RedisProtocolException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RedisProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public RedisProtocolException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception naming the endpoint.</summary>
    public RedisProtocolException(string endPoint, string message, Exception? innerException)
        : base(endPoint, message, innerException)
    {
    }
}

/// <summary>The server answered the command with an error reply (<c>ERR</c>, <c>WRONGTYPE</c>, <c>NOSCRIPT</c>, ...).</summary>
public sealed class RedisServerException : RedisException
{
    /// <summary>Creates the exception.</summary>
    public RedisServerException()
    {
        ErrorCode = "ERR";
    }

    /// <summary>Creates the exception with a message.</summary>
    public RedisServerException(string message)
        : base(message)
    {
        ErrorCode = FirstWord(message);
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public RedisServerException(string message, Exception? innerException)
        : base(message, innerException)
    {
        ErrorCode = FirstWord(message);
    }

    /// <summary>The error's first word, which Redis uses as its code: <c>ERR</c>, <c>WRONGTYPE</c>, <c>NOSCRIPT</c>...</summary>
    public string ErrorCode { get; }

    private static string FirstWord(string message)
    {
        var space = message.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? message : message[..space];
    }
}
