using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

using Reference.Redis;

namespace Reference.TestUtilities.Redis;

/// <summary>Which Redis-compatible server a <see cref="RedisTestServer"/> runs.</summary>
public enum ServerKind
{
    Redis,
    Garnet,
}

/// <summary>
/// A real redis-server or Garnet process started by the tests on a free loopback port with a password,
/// killed on dispose. <see cref="KillAsync"/> and <see cref="StartAsync"/> simulate a crash and a restart on the same port.
/// </summary>
public sealed class RedisTestServer : IAsyncDisposable
{
    private static readonly Lazy<string?> RedisPath = new(FindRedis);
    private static readonly Lazy<string?> GarnetPath = new(FindGarnet);
    private readonly string _dataDirectory;
    private Process? _process;

    private RedisTestServer(ServerKind kind, int port)
    {
        Kind = kind;
        Port = port;
        _dataDirectory = Directory.CreateTempSubdirectory("reference-redis-tests-").FullName;
    }

    private static readonly Lazy<Task<RedisTestServer>> SharedServer = new(StartSharedAsync);

    public ServerKind Kind { get; }

    /// <summary>
    /// One server for the whole test process (redis-server when installed, else Garnet), killed when the process
    /// exits. Tests that share it isolate themselves by key prefix, never by flushing.
    /// </summary>
    public static Task<RedisTestServer> GetSharedAsync() => SharedServer.Value;

    public int Port { get; }

    public string Password { get; } = "pw-" + Guid.NewGuid().ToString("N");

    public string ConnectionString => $"127.0.0.1:{Port},password={Password},abortConnect=false,connectTimeout=2000,syncTimeout=5000";

    /// <summary>Why the server cannot run here, or null when it can.</summary>
    public static string? UnavailableReason(ServerKind kind) => kind switch
    {
        ServerKind.Redis => RedisPath.Value is null ? "redis-server was not found on PATH or at /usr/bin/redis-server (apt-get install redis-server); redis-server tests are SKIPPED." : null,
        _ => GarnetPath.Value is null ? "Garnet (garnet-server 2.2.8 dotnet local tool) was not found and `dotnet tool restore` did not provide it; Garnet tests are SKIPPED." : null,
    };

    public static async Task<RedisTestServer> StartNewAsync(ServerKind kind)
    {
        var server = new RedisTestServer(kind, FreePort());
        await server.StartAsync();
        return server;
    }

    private static async Task<RedisTestServer> StartSharedAsync()
    {
        var kind = UnavailableReason(ServerKind.Redis) is null ? ServerKind.Redis : ServerKind.Garnet;
        if (UnavailableReason(kind) is { } reason)
        {
            throw new InvalidOperationException("These tests need a Redis-compatible server: " + reason);
        }

        var server = await StartNewAsync(kind);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return server;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public RedisConnectionOptions Options(Action<RedisConnectionOptions>? configure = null)
    {
        var options = RedisConnectionOptions.Parse(ConnectionString);
        configure?.Invoke(options);
        return options;
    }

    public async Task StartAsync()
    {
        var startInfo = Kind == ServerKind.Redis
            ? new ProcessStartInfo(RedisPath.Value ?? throw new InvalidOperationException(UnavailableReason(Kind)))
            {
                ArgumentList =
                {
                    "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                    "--requirepass", Password, "--save", string.Empty, "--appendonly", "no", "--daemonize", "no",
                    "--dir", _dataDirectory, "--loglevel", "warning",
                },
            }
            : GarnetStartInfo();
        if (string.IsNullOrEmpty(startInfo.WorkingDirectory))
        {
            startInfo.WorkingDirectory = _dataDirectory;
        }

        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        startInfo.UseShellExecute = false;
        _process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {Kind}.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilListeningAsync();
    }

    private ProcessStartInfo GarnetStartInfo()
    {
        var location = GarnetPath.Value ?? throw new InvalidOperationException(UnavailableReason(Kind));
        var startInfo = new ProcessStartInfo("dotnet")
        {
            // Garnet 2.2.8 ships net8.0..net10.0 builds; roll forward in case only a newer runtime is installed.
            Environment = { ["DOTNET_ROLL_FORWARD"] = "Major", ["DOTNET_gcServer"] = "0" },
        };
        if (location.StartsWith("tool-run:", StringComparison.Ordinal))
        {
            startInfo.WorkingDirectory = location["tool-run:".Length..];
            foreach (var arg in new[] { "tool", "run", "garnet-server", "--" })
            {
                startInfo.ArgumentList.Add(arg);
            }
        }
        else
        {
            startInfo.WorkingDirectory = _dataDirectory;
            startInfo.ArgumentList.Add(location);
        }

        foreach (var arg in new[] { "--bind", "127.0.0.1", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--auth", "Password", "--password", Password, "--lua" })
        {
            startInfo.ArgumentList.Add(arg);
        }

        return startInfo;
    }

    public async Task KillAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory.
        }
    }

    private async Task WaitUntilListeningAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (_process is { HasExited: true })
            {
                throw new InvalidOperationException($"{Kind} exited with code {_process.ExitCode} during start.");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                var stream = client.GetStream();
                await stream.WriteAsync("*1\r\n$4\r\nPING\r\n"u8.ToArray());
                var buffer = new byte[64];
                if (await stream.ReadAsync(buffer) > 0)
                {
                    return;
                }
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
            }

            await Task.Delay(50);
        }
    }

    private static string? FindRedis()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Append("/usr/bin").Append("/usr/local/bin"))
        {
            var candidate = Path.Combine(directory, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// GarnetServer.dll in the NuGet cache, or else "tool-run:{repository root}" when `dotnet tool restore`
    /// succeeds there (the tool is then started with `dotnet tool run garnet-server`).
    /// </summary>
    private static string? FindGarnet()
    {
        if (LocateGarnetDll() is { } found)
        {
            return found;
        }

        var root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, ".config", "dotnet-tools.json")))
        {
            root = Path.GetDirectoryName(root);
        }

        if (root is null)
        {
            return null;
        }

        try
        {
            using var restore = Process.Start(new ProcessStartInfo("dotnet", "tool restore")
            {
                WorkingDirectory = root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (restore is null)
            {
                return null;
            }

            var output = restore.StandardOutput.ReadToEndAsync();
            var error = restore.StandardError.ReadToEndAsync();
            if (!restore.WaitForExit(TimeSpan.FromMinutes(3)))
            {
                restore.Kill(entireProcessTree: true);
                return null;
            }

            Task.WaitAll(output, error);
            return restore.ExitCode == 0 ? LocateGarnetDll() ?? "tool-run:" + root : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static string? LocateGarnetDll()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var toolDirectory = Path.Combine(packages, "garnet-server", "2.2.8", "tools");
        return Directory.Exists(toolDirectory)
            ? Directory.EnumerateFiles(toolDirectory, "GarnetServer.dll", SearchOption.AllDirectories).OrderDescending().FirstOrDefault()
            : null;
    }
}
