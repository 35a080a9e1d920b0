using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Reference.Resilience.Tests.Faults;

/// <summary>What a <see cref="FaultProxy"/> does with a connection.</summary>
public enum FaultMode
{
    /// <summary>Forward bytes both ways to the target.</summary>
    Forward,

    /// <summary>Wait <see cref="FaultProxy.Delay"/> before connecting to the target, then forward.</summary>
    Delay,

    /// <summary>Accept and never answer (reads are discarded): a peer that hangs.</summary>
    Blackhole,

    /// <summary>Accept and reset at once (TCP RST): a peer that is down.</summary>
    Reset,
}

/// <summary>
/// A TCP proxy in the test process between a service and one of its dependencies, to break that dependency for real:
/// forward, delay, blackhole or reset. Switching to a fault mode also cuts (resets) every connection already open, so a
/// client's pooled keep-alive connection cannot bypass the fault. Counts the connections it accepted.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<IPEndPoint> _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, Socket> _open = new();
    private readonly Task _acceptLoop;
    private int _accepted;
    private int _nextId;
    private volatile FaultMode _mode;

    /// <summary>Starts a proxy on a free loopback port.</summary>
    /// <param name="target">Where to forward, resolved per connection (the target's port may be allocated later).</param>
    /// <param name="mode">The initial mode.</param>
    public FaultProxy(Func<IPEndPoint> target, FaultMode mode = FaultMode.Forward)
    {
        _target = target;
        _mode = mode;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The proxy's port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The proxy as an http base address, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri HttpAddress => new($"http://127.0.0.1:{Port}");

    /// <summary>How long <see cref="FaultMode.Delay"/> waits before connecting.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Connections accepted since start (or since <see cref="ResetCount"/>).</summary>
    public int AcceptedConnections => Volatile.Read(ref _accepted);

    /// <summary>Connections open right now (forwarded, delayed or held).</summary>
    public int OpenConnections => _open.Count;

    public FaultMode Mode => _mode;

    /// <summary>Switches the mode; a fault mode resets every open connection.</summary>
    public void SetMode(FaultMode mode)
    {
        _mode = mode;
        if (mode != FaultMode.Forward)
        {
            foreach (var (id, socket) in _open)
            {
                if (_open.TryRemove(id, out _))
                {
                    Abort(socket);
                }
            }
        }
    }

    public void ResetCount() => Interlocked.Exchange(ref _accepted, 0);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var socket in _open.Values)
        {
            Abort(socket);
        }

        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            _ = Task.Run(() => HandleAsync(client));
        }
    }

    private async Task HandleAsync(Socket client)
    {
        var id = Interlocked.Increment(ref _nextId);
        var mode = _mode;
        if (mode == FaultMode.Reset)
        {
            Abort(client);
            return;
        }

        _open[id] = client;
        Socket? upstream = null;
        try
        {
            if (mode == FaultMode.Blackhole)
            {
                var sink = new byte[4096];
                while (await client.ReceiveAsync(sink, SocketFlags.None, _stop.Token) > 0)
                {
                    // Discard: the peer never answers.
                }

                return;
            }

            if (mode == FaultMode.Delay)
            {
                await Task.Delay(Delay, _stop.Token);
            }

            upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await upstream.ConnectAsync(_target(), _stop.Token);
            _open[-id] = upstream;
            await Task.WhenAny(PumpAsync(client, upstream), PumpAsync(upstream, client));
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The connection ends; the other side sees a reset or a close.
        }
        finally
        {
            _open.TryRemove(id, out _);
            _open.TryRemove(-id, out _);
            Abort(client);
            if (upstream is not null)
            {
                Abort(upstream);
            }
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Either side went away.
        }
    }

    /// <summary>Closes with a TCP RST (linger 0).</summary>
    private static void Abort(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }
    }
}
