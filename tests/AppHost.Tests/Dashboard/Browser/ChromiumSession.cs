using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Reference.AppHost.Tests.Dashboard.Browser;

/// <summary>
/// Headless Chromium driven over the Chrome DevTools Protocol (a WebSocket, no browser-automation
/// package): navigate, evaluate JavaScript, take screenshots. Cookies live in the browser as for a user.
/// </summary>
internal sealed class ChromiumSession : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonNode?>> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _receiver = Task.CompletedTask;
    private int _nextId;

    private ChromiumSession(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    public static string? FindExecutable()
    {
        var configured = Environment.GetEnvironmentVariable("CHROMIUM_PATH");
        string[] candidates = [configured ?? "", "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
        return candidates.FirstOrDefault(c => c.Length > 0 && File.Exists(c));
    }

    public static async Task<ChromiumSession> LaunchAsync(CancellationToken cancellationToken)
    {
        var executable = FindExecutable() ?? throw new InvalidOperationException("Chromium not found.");
        var profile = Directory.CreateTempSubdirectory("dashboard-chromium-").FullName;
        var start = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--no-default-browser-check", "--disable-dev-shm-usage", "--hide-scrollbars",
            "--window-size=1400,900", "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1", $"--user-data-dir={profile}", "about:blank",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Chromium did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var session = new ChromiumSession(process, profile);
        try
        {
            await session.ConnectAsync(cancellationToken);
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    public async Task NavigateAsync(Uri url, CancellationToken cancellationToken) =>
        await SendAsync("Page.navigate", new JsonObject { ["url"] = url.ToString() }, cancellationToken);

    public async Task<JsonNode?> EvaluateAsync(string expression, CancellationToken cancellationToken)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true }, cancellationToken);
        return result?["result"]?["value"];
    }

    /// <summary>Polls a JavaScript expression until it returns a non-empty string, and returns it.</summary>
    public async Task<string> WaitForAsync(string expression, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                if (await EvaluateAsync(expression, cancellationToken) is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0)
                {
                    return text;
                }
            }
            catch (InvalidOperationException)
            {
                // The page is between documents (navigation): try again.
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    public async Task ScreenshotAsync(string path, CancellationToken cancellationToken)
    {
        var height = await EvaluateAsync("String(Math.min(4000, Math.max(900, document.documentElement.scrollHeight)))", cancellationToken);
        await SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject
        {
            ["width"] = 1400, ["height"] = int.Parse(height!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture), ["deviceScaleFactor"] = 1, ["mobile"] = false,
        }, cancellationToken);
        var result = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" }, cancellationToken);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, Convert.FromBase64String(result!["data"]!.GetValue<string>()), cancellationToken);
        await SendAsync("Emulation.clearDeviceMetricsOverride", new JsonObject(), cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }

        try
        {
            await _receiver;
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // The browser went away.
        }

        _socket.Dispose();
        _process.Dispose();
        _stop.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still hold a file for a moment; the temp folder is cleaned up eventually.
        }
    }

    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        var portFile = Path.Combine(_profile, "DevToolsActivePort");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        while (!File.Exists(portFile) || (await File.ReadAllLinesAsync(portFile, deadline.Token)).Length < 2)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Chromium exited with code {_process.ExitCode} before opening its DevTools port.");
            }

            await Task.Delay(100, deadline.Token);
        }

        var port = (await File.ReadAllLinesAsync(portFile, deadline.Token))[0].Trim();
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        JsonArray targets;
        do
        {
            targets = JsonNode.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/json/list"), deadline.Token))!.AsArray();
        }
        while (!targets.Any(t => (string?)t!["type"] == "page") && await DelayAsync(deadline.Token));

        var page = targets.First(t => (string?)t!["type"] == "page")!;
        await _socket.ConnectAsync(new Uri((string)page["webSocketDebuggerUrl"]!), deadline.Token);
        _receiver = Task.Run(ReceiveAsync, CancellationToken.None);
        await SendAsync("Page.enable", new JsonObject(), cancellationToken);
        await SendAsync("Runtime.enable", new JsonObject(), cancellationToken);
    }

    private static async Task<bool> DelayAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(100, cancellationToken);
        return true;
    }

    private async Task<JsonNode?> SendAsync(string method, JsonObject parameters, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        var completion = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = completion;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters }.ToJsonString();
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        using var registration = cancellationToken.Register(() => completion.TrySetCanceled(cancellationToken));
        return await completion.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        while (!_stop.IsCancellationRequested && _socket.State == WebSocketState.Open)
        {
            var result = await _socket.ReceiveAsync(buffer, _stop.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                break;
            }

            message.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage)
            {
                continue;
            }

            var node = JsonNode.Parse(message.ToArray());
            message.SetLength(0);
            if (node?["id"] is { } idNode && _pending.TryRemove(idNode.GetValue<int>(), out var completion))
            {
                if (node["error"] is { } error)
                {
                    completion.TrySetException(new InvalidOperationException(error.ToJsonString()));
                }
                else
                {
                    completion.TrySetResult(node["result"]);
                }
            }
        }
    }
}
