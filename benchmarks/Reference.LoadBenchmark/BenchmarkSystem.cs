using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Reference.AppHost.Hosting;
using Reference.AppHost.Testing;

namespace Reference.LoadBenchmark;

/// <summary>
/// The system under test: the whole Reference application through the AppHost testing builder (built in this project's
/// configuration), with benchmark routes added to the gateway's configuration, plus the stock JwtBearer peer as a
/// separate process. Every benchmark route ends at the same anonymous, constant-cost downstream endpoint (Orders.Api
/// <c>/alive</c>), so the scenarios differ only in what the gateway does.
/// </summary>
internal sealed class BenchmarkSystem : IAsyncDisposable
{
    public const string DownstreamPath = "/alive";

    /// <summary>The benchmark routes: path → (Auth.Policy, route propagation mode or null).</summary>
    public static readonly IReadOnlyDictionary<string, (string Policy, string? Mode)> Routes = new Dictionary<string, (string, string?)>
    {
        ["anon"] = ("anonymous", null),
        ["jwt"] = ("jwt", null),
        ["opaque"] = ("introspection", null),
        ["session"] = ("session", null),
        ["exchange"] = ("jwt", "exchange"),
    };

    private readonly Process _peer;

    private BenchmarkSystem(ReferenceTestApp app, Process peer, Uri peerUri, IssuerKeys keys)
    {
        App = app;
        _peer = peer;
        PeerUri = peerUri;
        Keys = keys;
    }

    public ReferenceTestApp App { get; }

    public Uri GatewayUri => App.GetEndpoint("gateway");

    public int GatewayProcessId => App.GetProcessIds("gateway")[0];

    public Uri PeerUri { get; }

    public int PeerProcessId => _peer.Id;

    public IssuerKeys Keys { get; }

    public static async Task<BenchmarkSystem> StartAsync(Action<string> log, CancellationToken cancellationToken)
    {
        var options = new ReferenceAppTestingOptions { StartupTimeout = TimeSpan.FromMinutes(3) };
        var application = await EntryPointInterception.RunEntryPointAsync(options.ToApplicationOptions());
        var gateway = (ProcessResource)application.GetResource("gateway");
        foreach (var (name, value) in GatewayRouteEnvironment())
        {
            gateway.EnvironmentCallbacks.Add(new(name, () => value));
        }

        log("Starting the system (AppHost testing builder)...");
        var app = await ReferenceAppTesting.StartAsync(application, options.StartupTimeout, cancellationToken);
        Process? peer = null;
        try
        {
            var issuer = app.GetEndpoint("identity").ToString().TrimEnd('/');
            var keys = IssuerKeys.Load(new Projects.IdentityProvider().ProjectDirectory, issuer);
            var port = FreePort();
            var peerUri = new Uri($"http://127.0.0.1:{port}/");
            peer = StartPeer(port, issuer, app.GetEndpoint("orders"));
            log($"Starting the JwtBearer peer on {peerUri}...");
            await WaitUntilServingAsync(peer, new Uri(peerUri, "/bench/anon"), cancellationToken);
            return new BenchmarkSystem(app, peer, peerUri, keys);
        }
        catch
        {
            if (peer is not null)
            {
                await StopAsync(peer);
            }

            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Access tokens from the real IdP (client_credentials): reference tokens for demo-reference, JWTs for demo-client.</summary>
    public async Task<string[]> GetIdpTokensAsync(string clientId, int count, CancellationToken cancellationToken)
    {
        var secret = App.GetParameterValue($"{clientId}-secret");
        using var identity = App.CreateHttpClient("identity");
        var tokens = new string[count];
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "orders.read" }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}")));
            using var response = await identity.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"Token request for {clientId} failed: {(int)response.StatusCode} {body}");
            }

            tokens[i] = JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
        }

        return tokens;
    }

    /// <summary>Signs in as the demo user alice through the gateway's BFF (the real authorization code flow); returns the Cookie header.</summary>
    public async Task<string> LogInToBffAsync(CancellationToken cancellationToken)
    {
        using var browser = new MiniBrowser();
        var start = new Uri(GatewayUri, "/bff/login?returnUrl=/bff/user");
        var (loginPage, loginUrl) = await browser.FollowAsync(start, cancellationToken);
        var (user, userUrl) = await browser.SubmitFormAsync(
            loginPage, loginUrl, new Dictionary<string, string> { ["username"] = "alice", ["password"] = App.GetParameterValue("demo-user-password") }, cancellationToken);
        if (user.StatusCode != HttpStatusCode.OK || userUrl.AbsolutePath != "/bff/user")
        {
            throw new InvalidOperationException($"BFF login ended at {userUrl} with {(int)user.StatusCode}.");
        }

        var cookie = browser.Get(GatewayUri, "bff.session") ?? throw new InvalidOperationException("BFF login set no session cookie.");
        return "bff.session=" + cookie;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(_peer);
        Keys.Dispose();
        await App.DisposeAsync();
    }

    private static IEnumerable<(string Name, string Value)> GatewayRouteEnvironment()
    {
        foreach (var (name, (policy, mode)) in Routes)
        {
            var prefix = $"ReverseProxy__Routes__bench-{name}__";
            yield return (prefix + "ClusterId", "orders");
            yield return (prefix + "Match__Path", "/bench/" + name);
            yield return (prefix + "Metadata__Auth.Policy", policy);
            if (policy != "anonymous")
            {
                yield return (prefix + "Metadata__Auth.Scopes", "orders.read");
            }

            if (mode is not null)
            {
                yield return (prefix + "Metadata__Propagation.Mode", mode);
            }

            yield return (prefix + "Transforms__0__PathSet", DownstreamPath);
        }
    }

    private static Process StartPeer(int port, string issuer, Uri orders)
    {
        var dll = new Projects.Reference_Benchmarks_JwtBearerPeer().TargetPath;
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var arg in new[]
        {
            dll, "--urls", $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
            "--Peer:Authority", issuer, "--Peer:Destination", orders.ToString(), "--Peer:DownstreamPath", DownstreamPath,
        })
        {
            startInfo.ArgumentList.Add(arg);
        }

        startInfo.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start the JwtBearer peer.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine("[peer] " + e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitUntilServingAsync(Process peer, Uri uri, CancellationToken cancellationToken)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            if (peer.HasExited)
            {
                throw new InvalidOperationException($"The JwtBearer peer exited with code {peer.ExitCode}.");
            }

            try
            {
                using var response = await client.GetAsync(uri, deadline.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200, deadline.Token);
        }
    }

    private static async Task StopAsync(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
