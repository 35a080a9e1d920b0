using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Authentication;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Reference.Redis.Protocol;

namespace Reference.Redis.Connections;

/// <summary>
/// One multiplexed connection to one endpoint. Callers enqueue commands into the backlog; a single
/// writer moves them, in order, into the in-flight queue and onto the socket; a single reader matches
/// replies to the in-flight queue strictly in order. When the connection is lost every in-flight command
/// fails with <see cref="RedisConnectionException"/> and a background loop reconnects with exponential
/// backoff and jitter, while new commands wait in the bounded backlog.
/// </summary>
internal sealed class RedisMultiplexer : IAsyncDisposable
{
    private static readonly TimeSpan StableConnection = TimeSpan.FromSeconds(1);
    private readonly object _gate = new();
    private readonly Queue<PendingCommand> _backlog = new();
    private readonly Channel<byte> _writeSignal = Channel.CreateBounded<byte>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true, SingleWriter = false });

    private readonly CancellationTokenSource _disposeCts = new();
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly bool _selectDatabase;
    private readonly Action<RedisResult>? _pushHandler;
    private readonly Func<IReadOnlyList<PendingCommand>>? _onConnected;
    private readonly ITimer _heartbeat;
    private readonly Task _connectLoop;
    private Session? _session;
    private RedisAuthenticationException? _authFailure;
    private RedisConnectionException? _lastConnectError;
    private bool _everConnected;
    private bool _disposed;

    public RedisMultiplexer(
        RedisConnectionOptions options,
        string role,
        bool selectDatabase,
        ILogger logger,
        TimeProvider timeProvider,
        Action<RedisResult>? pushHandler = null,
        Func<IReadOnlyList<PendingCommand>>? onConnected = null)
    {
        Options = options;
        Role = role;
        _selectDatabase = selectDatabase;
        _logger = logger;
        _timeProvider = timeProvider;
        _pushHandler = pushHandler;
        _onConnected = onConnected;
        var shortest = options.CommandTimeout < options.ConnectTimeout ? options.CommandTimeout : options.ConnectTimeout;
        var period = TimeSpan.FromTicks(Math.Clamp(shortest.Ticks / 4, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerSecond));
        _heartbeat = timeProvider.CreateTimer(static state => ((RedisMultiplexer)state!).OnHeartbeat(), this, period, period);
        RedisTelemetry.Register(this);
        _connectLoop = Task.Run(ConnectLoopAsync);
    }

    public RedisConnectionOptions Options { get; }

    public string Role { get; }

    public bool IsConnected => Volatile.Read(ref _session) is not null;

    public int BacklogLength
    {
        get
        {
            lock (_gate)
            {
                return _backlog.Count;
            }
        }
    }

    public long TimeoutTicks => (long)(Options.CommandTimeout.TotalSeconds * _timeProvider.TimestampFrequency);

    /// <summary>Queues a command; it fails at once when the client is disposed, locked out by an authentication failure, or its backlog is full.</summary>
    public void Enqueue(PendingCommand command)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_session is null)
            {
                if (_authFailure is { } auth)
                {
                    throw new RedisAuthenticationException(Options.EndPoint, auth.Message, null);
                }

                if (_backlog.Count >= Options.BacklogLimit)
                {
                    throw new RedisBacklogFullException(
                        Options.EndPoint,
                        string.Create(CultureInfo.InvariantCulture, $"Redis at {Options.EndPoint} is not connected and {_backlog.Count} commands are already waiting (backlogLimit={Options.BacklogLimit})."),
                        _lastConnectError);
                }
            }

            _backlog.Enqueue(command);
        }

        _writeSignal.Writer.TryWrite(0);
    }

    public async ValueTask DisposeAsync()
    {
        Session? session;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            session = _session;
        }

        RedisTelemetry.Unregister(this);
        await _disposeCts.CancelAsync();
        await _heartbeat.DisposeAsync();
        var disposed = new ObjectDisposedException(nameof(RedisClient));
        if (session is not null)
        {
            FailSession(session, disposed, "client disposed");
        }

        FailBacklog(_ => new RedisConnectionException(Options.EndPoint, "The Redis client was disposed.", disposed));
        try
        {
            await _connectLoop;
        }
        catch (OperationCanceledException)
        {
            // Expected on dispose.
        }

        _disposeCts.Dispose();
    }

    private async Task ConnectLoopAsync()
    {
        var token = _disposeCts.Token;
        var attempt = 0;
        while (!token.IsCancellationRequested)
        {
            TimeSpan delay;
            try
            {
                var connection = await ConnectOnceAsync(token);
                var session = new Session(connection, Options.MaxReplyLength);
                var preamble = _onConnected?.Invoke() ?? [];
                bool disposed;
                lock (_gate)
                {
                    disposed = _disposed;
                    if (!disposed && preamble.Count > 0)
                    {
                        var waiting = _backlog.ToArray();
                        _backlog.Clear();
                        foreach (var command in preamble.Concat(waiting))
                        {
                            _backlog.Enqueue(command);
                        }
                    }

                    if (!disposed)
                    {
                        _authFailure = null;
                        _lastConnectError = null;
                        Volatile.Write(ref _session, session);
                    }
                }

                if (disposed)
                {
                    await connection.DisposeAsync();
                    return;
                }

                if (_everConnected)
                {
                    RedisTelemetry.Reconnects.Add(1, new KeyValuePair<string, object?>("server.address", Options.Host));
                }

                _everConnected = true;
                var connectedAt = _timeProvider.GetTimestamp();
                RedisLog.Connected(_logger, Role, Options.EndPoint);
                _writeSignal.Writer.TryWrite(0);
                var reader = RunLoopAsync(session, ReadLoopAsync);
                var writer = RunLoopAsync(session, WriteLoopAsync);
                await session.Ended.Task;
                await Task.WhenAll(reader, writer);
                await connection.DisposeAsync();
                session.Stop.Dispose();

                // A connection that lived a while is retried at once; one that dies right after connecting
                // (a server that accepts and drops, a reply that is always malformed) backs off like a failed connect.
                if (_timeProvider.GetElapsedTime(connectedAt) >= StableConnection)
                {
                    attempt = 0;
                    delay = TimeSpan.Zero;
                }
                else
                {
                    delay = Backoff(attempt++);
                }
            }
            catch (RedisAuthenticationException ex)
            {
                lock (_gate)
                {
                    _authFailure = ex;
                }

                delay = Options.ReconnectMaxDelay;
                RedisLog.AuthenticationFailed(_logger, Role, Options.EndPoint, Options.User ?? "default", (long)delay.TotalMilliseconds);
                FailBacklog(_ => new RedisAuthenticationException(Options.EndPoint, ex.Message, null));
            }
            catch (Exception ex) when (!token.IsCancellationRequested)
            {
                var error = ex as RedisConnectionException
                    ?? new RedisConnectionException(Options.EndPoint, $"Could not connect to Redis at {Options.EndPoint}: {ex.Message}", ex);
                lock (_gate)
                {
                    _lastConnectError = error;
                }

                delay = Backoff(attempt++);
                RedisLog.ConnectFailed(_logger, Role, Options.EndPoint, (long)delay.TotalMilliseconds, error);
                FailBacklog(_ => new RedisConnectionException(Options.EndPoint, error.Message, error.InnerException));
            }
            catch (Exception) when (token.IsCancellationRequested)
            {
                return;
            }

            if (delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(delay, _timeProvider, token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<RespConnection> ConnectOnceAsync(CancellationToken token)
    {
        using var timeout = new CancellationTokenSource(Options.ConnectTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, timeout.Token);
        try
        {
            return await RespConnection.ConnectAsync(Options, _selectDatabase, linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !token.IsCancellationRequested)
        {
            throw new RedisConnectionException(
                Options.EndPoint,
                string.Create(CultureInfo.InvariantCulture, $"Connecting to Redis at {Options.EndPoint} timed out after {(long)Options.ConnectTimeout.TotalMilliseconds} ms (connectTimeout)."),
                null);
        }
        catch (Exception ex) when (ex is SocketException or IOException or AuthenticationException or RedisProtocolException)
        {
            throw new RedisConnectionException(Options.EndPoint, $"Could not connect to Redis at {Options.EndPoint}: {ex.Message}", ex);
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var baseTicks = Options.ReconnectBaseDelay.Ticks;
        var cap = Math.Min(Options.ReconnectMaxDelay.Ticks, baseTicks * (1L << Math.Min(attempt, 20)));

        // "Equal jitter": half the capped delay, plus a random share of the other half, so instances that
        // lost the same server do not reconnect in lock-step.
        return TimeSpan.FromTicks((cap / 2) + Random.Shared.NextInt64((cap / 2) + 1));
    }

    private async Task RunLoopAsync(Session session, Func<Session, Task> loop)
    {
        try
        {
            await loop(session);
        }
        catch (Exception ex)
        {
            FailSession(session, ex, ex.Message);
        }
    }

    private async Task WriteLoopAsync(Session session)
    {
        var batch = new List<PendingCommand>();
        var output = session.Connection.Output;
        var token = session.Stop.Token;
        while (true)
        {
            lock (_gate)
            {
                if (!ReferenceEquals(_session, session))
                {
                    return;
                }

                while (_backlog.TryDequeue(out var command))
                {
                    if (command.Task.IsCompleted)
                    {
                        continue;
                    }

                    session.InFlight.Enqueue(command);
                    batch.Add(command);
                }
            }

            if (batch.Count == 0)
            {
                await _writeSignal.Reader.ReadAsync(token);
                continue;
            }

            foreach (var command in batch)
            {
                RespWriter.WriteCommand(output, command.Command, command.Args);
            }

            batch.Clear();
            var flushed = await output.FlushAsync(token);
            if (flushed.IsCompleted || flushed.IsCanceled)
            {
                throw new RedisConnectionException(Options.EndPoint, $"The connection to Redis at {Options.EndPoint} was closed while writing.", null);
            }
        }
    }

    private async Task ReadLoopAsync(Session session)
    {
        var input = session.Connection.Input;
        var token = session.Stop.Token;
        while (true)
        {
            var read = await input.ReadAsync(token);
            var buffer = read.Buffer;
            var consumed = DeliverReplies(session, buffer);
            var leftOver = buffer.Slice(consumed).Length;
            input.AdvanceTo(consumed, buffer.End);
            if (read.IsCompleted)
            {
                throw leftOver > 0 || session.Replies.InProgress
                    ? new RedisProtocolException($"Redis at {Options.EndPoint} closed the connection in the middle of a reply (truncated reply).")
                    : new RedisConnectionException(Options.EndPoint, $"Redis at {Options.EndPoint} closed the connection.", null);
            }
        }
    }

    private SequencePosition DeliverReplies(Session session, ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (session.Replies.TryRead(ref reader, out var reply))
        {
            if (_pushHandler is not null && IsPush(reply))
            {
                _pushHandler(reply);
                continue;
            }

            if (!session.InFlight.TryDequeue(out var command))
            {
                throw new RedisProtocolException($"Redis at {Options.EndPoint} sent a reply no command was waiting for.");
            }

            command.TrySetResult(reply);
        }

        return reader.Position;
    }

    private static bool IsPush(RedisResult reply)
    {
        if (reply.Kind != RedisResultKind.Array)
        {
            return false;
        }

        var items = reply.Items;
        return (items.Count == 3 && items[0].IsBulkEqual("message"u8)) || (items.Count == 4 && items[0].IsBulkEqual("pmessage"u8));
    }

    private void FailSession(Session session, Exception cause, string reason)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_session, session))
            {
                return;
            }

            Volatile.Write(ref _session, null);
        }

        try
        {
            session.Stop.Cancel();
        }
        catch (AggregateException)
        {
            // Callbacks of the loops' token; the loops end either way.
        }

        var failed = 0;
        while (session.InFlight.TryDequeue(out var command))
        {
            // The oldest command is the one whose reply was being parsed when the protocol broke.
            command.TrySetException(failed++ == 0 && cause is RedisProtocolException
                ? new RedisProtocolException(
                    Options.EndPoint,
                    $"Redis at {Options.EndPoint} sent an invalid reply to {command.Command} ({reason}); the connection was reset.",
                    cause)
                : new RedisConnectionException(
                    Options.EndPoint,
                    $"The connection to Redis at {Options.EndPoint} was lost before the reply to {command.Command} arrived ({reason}); the command may or may not have run.",
                    cause));
        }

        if (cause is not ObjectDisposedException)
        {
            RedisLog.ConnectionLost(_logger, Role, Options.EndPoint, reason, failed, cause);
        }

        session.Ended.TrySetResult();
    }

    private void FailBacklog(Func<PendingCommand, Exception> error)
    {
        PendingCommand[] waiting;
        lock (_gate)
        {
            waiting = _backlog.ToArray();
            _backlog.Clear();
        }

        foreach (var command in waiting)
        {
            command.TrySetException(error(command));
        }
    }

    private void OnHeartbeat()
    {
        var now = _timeProvider.GetTimestamp();
        List<PendingCommand>? expired = null;
        Session? session;
        RedisConnectionException? lastError;
        lock (_gate)
        {
            session = _session;
            lastError = _lastConnectError;

            // Every command gets the same timeout, so the backlog is ordered by deadline.
            while (_backlog.TryPeek(out var head) && head.Deadline <= now)
            {
                (expired ??= []).Add(_backlog.Dequeue());
            }
        }

        var timeoutMs = (long)Options.CommandTimeout.TotalMilliseconds;
        if (expired is not null)
        {
            foreach (var command in expired)
            {
                command.TrySetException(session is null
                    ? new RedisConnectionException(
                        Options.EndPoint,
                        string.Create(CultureInfo.InvariantCulture, $"No connection to Redis at {Options.EndPoint} became available within {timeoutMs} ms for {command.Command}{(lastError is null ? string.Empty : $" (last error: {lastError.Message})")}."),
                        lastError)
                    : new RedisTimeoutException(string.Create(CultureInfo.InvariantCulture, $"{command.Command} waited {timeoutMs} ms to be sent to Redis at {Options.EndPoint}.")));
            }
        }

        if (session is not null && session.InFlight.TryPeek(out var oldest) && oldest.Deadline <= now)
        {
            // The server has not answered the oldest command in time. Waiting longer would block every
            // command behind it; dropping just this one would be safe (its reply is read and discarded)
            // but a silent server answers nothing, so the connection is reset and reconnected.
            RedisLog.CommandTimedOut(_logger, oldest.Command, Options.EndPoint, timeoutMs);
            var timeout = new RedisTimeoutException(string.Create(
                CultureInfo.InvariantCulture,
                $"No reply to {oldest.Command} from Redis at {Options.EndPoint} within {timeoutMs} ms (syncTimeout); the connection was reset so that no later command can receive this reply."));
            oldest.TrySetException(timeout);
            FailSession(session, timeout, "command timeout");
        }
    }

    private sealed class Session(RespConnection connection, int maxReplyLength)
    {
        public RespConnection Connection { get; } = connection;

        public RespReplyReader Replies { get; } = new(maxReplyLength);

        public ConcurrentQueue<PendingCommand> InFlight { get; } = new();

        public CancellationTokenSource Stop { get; } = new();

        public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
