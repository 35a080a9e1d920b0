using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using Reference.Redis.Protocol;

namespace Reference.Redis.Connections;

/// <summary>One physical connection: socket, optional TLS, pipes, and the AUTH/SELECT/SETNAME handshake.</summary>
internal sealed class RespConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;

    private RespConnection(Socket socket, Stream stream)
    {
        _socket = socket;
        _stream = stream;
        Input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4096, leaveOpen: true));
        Output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024, leaveOpen: true));
    }

    public PipeReader Input { get; }

    public PipeWriter Output { get; }

    /// <summary>Connects and authenticates; <paramref name="cancellationToken"/> carries the connect timeout.</summary>
    /// <exception cref="RedisAuthenticationException">The server rejected the credentials.</exception>
    public static async Task<RespConnection> ConnectAsync(RedisConnectionOptions options, bool selectDatabase, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            if (options.KeepAlive is { } keepAlive)
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
                socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, (int)Math.Max(1, keepAlive.TotalSeconds));
            }

            await socket.ConnectAsync(options.Host, options.Port, cancellationToken);
            stream = new NetworkStream(socket, ownsSocket: false);
            if (options.Ssl)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions
                    {
                        TargetHost = options.SslHost ?? options.Host,
                        RemoteCertificateValidationCallback = options.CertificateValidation,
                    },
                    cancellationToken);
            }

            var connection = new RespConnection(socket, stream);
            try
            {
                await connection.HandshakeAsync(options, selectDatabase, cancellationToken);
                return connection;
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }
        catch
        {
            if (stream is not null)
            {
                await stream.DisposeAsync();
            }

            socket.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already closed by the peer.
        }
        catch (ObjectDisposedException)
        {
            // Already disposed.
        }

        await Input.CompleteAsync();
        await Output.CompleteAsync();
        await _stream.DisposeAsync();
        _socket.Dispose();
    }

    private async Task HandshakeAsync(RedisConnectionOptions options, bool selectDatabase, CancellationToken cancellationToken)
    {
        if (options.Password is not null)
        {
            RedisValue[] args = options.User is null ? [options.Password] : [options.User, options.Password];
            var reply = await RoundTripAsync("AUTH", args, options.MaxReplyLength, cancellationToken);
            if (reply.Kind == RedisResultKind.Error)
            {
                // The server's reason (WRONGPASS, ERR invalid password, ...) never echoes the password.
                throw new RedisAuthenticationException(
                    options.EndPoint,
                    $"Authentication to Redis at {options.EndPoint} failed for user '{options.User ?? "default"}': {reply}",
                    null);
            }
        }

        if (selectDatabase && options.DefaultDatabase != 0)
        {
            var reply = await RoundTripAsync("SELECT", [options.DefaultDatabase], options.MaxReplyLength, cancellationToken);
            ThrowIfError(reply, options, "SELECT");
        }

        if (options.ClientName is not null)
        {
            // Garnet and older servers may not know CLIENT SETNAME; a name is a nicety, not a requirement.
            await RoundTripAsync("CLIENT", ["SETNAME", options.ClientName], options.MaxReplyLength, cancellationToken);
        }
    }

    private static void ThrowIfError(RedisResult reply, RedisConnectionOptions options, string command)
    {
        if (reply.Kind == RedisResultKind.Error)
        {
            if (reply.ToString().StartsWith("NOAUTH", StringComparison.Ordinal))
            {
                throw new RedisAuthenticationException(options.EndPoint, $"Redis at {options.EndPoint} requires a password: {reply}", null);
            }

            throw new RedisConnectionException(options.EndPoint, $"Redis at {options.EndPoint} refused {command} during the handshake: {reply}", null);
        }
    }

    /// <summary>Sends one command and reads one reply; only used before the read and write loops start.</summary>
    private async Task<RedisResult> RoundTripAsync(string command, RedisValue[] args, int maxLength, CancellationToken cancellationToken)
    {
        RespWriter.WriteCommand(Output, command, args);
        await Output.FlushAsync(cancellationToken);
        while (true)
        {
            var read = await Input.ReadAsync(cancellationToken);
            if (TryParse(read.Buffer, maxLength, out var reply, out var consumed))
            {
                Input.AdvanceTo(consumed);
                return reply;
            }

            if (read.IsCompleted)
            {
                throw new RedisConnectionException("The server closed the connection during the handshake.");
            }

            Input.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    private static bool TryParse(ReadOnlySequence<byte> buffer, int maxLength, out RedisResult reply, out SequencePosition consumed)
    {
        var reader = new SequenceReader<byte>(buffer);
        var ok = RespParser.TryRead(ref reader, maxLength, out reply);
        consumed = reader.Position;
        return ok;
    }
}
