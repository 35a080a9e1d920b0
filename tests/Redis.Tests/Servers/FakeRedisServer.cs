using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Reference.Redis.Tests.Servers;

/// <summary>An in-test TCP server that speaks whatever bytes a test scripts, to misbehave on purpose.</summary>
public sealed class FakeRedisServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<FakeConnection, int, Task> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<FakeConnection> _connections = [];
    private readonly Task _acceptLoop;
    private int _count;

    public FakeRedisServer(Func<FakeConnection, int, Task> handler)
    {
        _handler = handler;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int ConnectionCount => Volatile.Read(ref _count);

    public RedisConnectionOptions Options(Action<RedisConnectionOptions>? configure = null)
    {
        var options = RedisConnectionOptions.Parse($"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000,syncTimeout=2000");
        options.ReconnectBaseDelay = TimeSpan.FromMilliseconds(10);
        options.ReconnectMaxDelay = TimeSpan.FromMilliseconds(100);
        configure?.Invoke(options);
        return options;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_connections)
        {
            foreach (var connection in _connections)
            {
                connection.Dispose();
            }
        }

        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var connection = new FakeConnection(client);
            lock (_connections)
            {
                _connections.Add(connection);
            }

            var index = Interlocked.Increment(ref _count) - 1;
            _ = Task.Run(async () =>
            {
                try
                {
                    await _handler(connection, index);
                }
                catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or EndOfStreamException)
                {
                    // The client closed the connection; that is what several tests cause on purpose.
                }
            });
        }
    }
}

/// <summary>One accepted connection: reads RESP commands, writes scripted bytes.</summary>
public sealed class FakeConnection(TcpClient client) : IDisposable
{
    private readonly NetworkStream _stream = client.GetStream();
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    /// <summary>Reads one command as its arguments (first is the name); null when the client closed the connection.</summary>
    public async Task<string[]?> ReadCommandAsync()
    {
        var header = await ReadLineAsync();
        if (header is null)
        {
            return null;
        }

        var count = int.Parse(header.AsSpan(1), CultureInfo.InvariantCulture);
        var args = new string[count];
        for (var i = 0; i < count; i++)
        {
            var lengthLine = await ReadLineAsync() ?? throw new EndOfStreamException();
            var length = int.Parse(lengthLine.AsSpan(1), CultureInfo.InvariantCulture);
            var bytes = new byte[length + 2];
            for (var read = 0; read < bytes.Length; read++)
            {
                bytes[read] = await ReadByteAsync() ?? throw new EndOfStreamException();
            }

            args[i] = Encoding.UTF8.GetString(bytes, 0, length);
        }

        return args;
    }

    /// <summary>Waits until the client closes the connection (true) or sends something (false).</summary>
    public async Task<bool> WaitForCloseAsync() => await ReadByteAsync() is null;

    public async Task WriteAsync(string resp) => await WriteAsync(Encoding.UTF8.GetBytes(resp));

    public async Task WriteAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    public async Task WriteByteByByteAsync(byte[] bytes)
    {
        foreach (var b in bytes)
        {
            await _stream.WriteAsync(new[] { b });
            await _stream.FlushAsync();
        }
    }

    public void Dispose() => client.Dispose();

    private async Task<string?> ReadLineAsync()
    {
        var line = new StringBuilder();
        while (true)
        {
            var b = await ReadByteAsync();
            if (b is null)
            {
                return line.Length == 0 ? null : throw new EndOfStreamException();
            }

            if (b == '\n')
            {
                return line.ToString().TrimEnd('\r');
            }

            line.Append((char)b.Value);
        }
    }

    private async Task<byte?> ReadByteAsync()
    {
        if (_start == _end)
        {
            _start = 0;
            _end = await _stream.ReadAsync(_buffer);
            if (_end == 0)
            {
                return null;
            }
        }

        return _buffer[_start++];
    }
}
