using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Reference.Gateway.Tests.Infrastructure;

/// <summary>
/// A fake IdP, recording Orders and Inventory stubs, and the gateway wired to them through service-discovery
/// configuration (<c>services__orders__http__0</c> and friends), with an extra anonymous route <c>/api/public</c>.
/// </summary>
public sealed class GatewayEnvironment : IAsyncLifetime
{
    private readonly Dictionary<string, string?> _overrides;
    private readonly bool _waitForReady;
    private readonly Action<IServiceCollection>? _configureServices;
    private readonly bool _useKestrel;
    private readonly Action<GatewayEnvironment, Dictionary<string, string?>>? _configureSettings;
    private readonly string _dataPath = Path.Combine(Path.GetTempPath(), "reference-gateway-tests", Guid.NewGuid().ToString("N"));

    public GatewayEnvironment()
        : this(new Dictionary<string, string?>())
    {
    }

    internal GatewayEnvironment(
        Dictionary<string, string?> overrides,
        bool waitForReady = true,
        Action<IServiceCollection>? configureServices = null,
        bool useKestrel = false,
        Action<GatewayEnvironment, Dictionary<string, string?>>? configureSettings = null,
        bool secondIssuer = false)
    {
        _configureSettings = configureSettings;
        IdpB = secondIssuer ? new FakeIdentityProvider() : null;
        _useKestrel = useKestrel;
        _overrides = overrides;
        _waitForReady = waitForReady;
        _configureServices = configureServices;
    }

    public FakeIdentityProvider Idp { get; } = new();

    /// <summary>A second, independent issuer, when the environment was created with <c>secondIssuer</c>.</summary>
    public FakeIdentityProvider? IdpB { get; }

    public RecordingDownstream Orders { get; } = new();

    public RecordingDownstream Inventory { get; } = new();

    public GatewayFactory Factory { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public string DataPath => _dataPath;

    /// <summary>The gateway's real Kestrel address, when started with <c>useKestrel</c>.</summary>
    public Uri? KestrelAddress { get; private set; }

    public static Dictionary<string, string?> Settings(FakeIdentityProvider idp, RecordingDownstream orders, RecordingDownstream inventory, string dataPath) => new()
    {
        ["Gateway:Authentication:Jwt:Issuer"] = idp.Issuer,
        ["services:identity:http:0"] = idp.Url,
        ["services:orders:http:0"] = orders.Url,
        ["services:inventory:http:0"] = inventory.Url,
        ["Gateway:InternalTokens:DataPath"] = dataPath,
        // Sessions and introspection need these to start; their own tests point them at a real Redis and fake IdP.
        ["ConnectionStrings:cache"] = "127.0.0.1:1,abortConnect=false,connectTimeout=200,syncTimeout=200",
        ["Gateway:Bff:Authority"] = idp.Issuer,
        ["Gateway:Bff:ClientSecret"] = "test-bff-secret",
        ["Gateway:Introspection:ClientSecret"] = "test-introspection-secret",
        ["Gateway:TokenExchange:ClientSecret"] = "test-exchange-secret",
        ["Gateway:Security:InboundHeaders:AdditionalHeaders:0"] = "X-Custom-Identity",
        ["ReverseProxy:Routes:public:ClusterId"] = "orders",
        ["ReverseProxy:Routes:public:Match:Path"] = "/api/public/{**rest}",
        ["ReverseProxy:Routes:public:Metadata:Auth.Policy"] = "anonymous",
        ["ReverseProxy:Routes:public:Transforms:0:PathRemovePrefix"] = "/api",
        ["ReverseProxy:Routes:steered:ClusterId"] = "orders",
        ["ReverseProxy:Routes:steered:Match:Path"] = "/api/steered/{**rest}",
        ["ReverseProxy:Routes:steered:Match:Headers:0:Name"] = "X-User-Id",
        ["ReverseProxy:Routes:steered:Match:Headers:0:Values:0"] = "admin",
        ["ReverseProxy:Routes:steered:Metadata:Auth.Policy"] = "anonymous",
    };

    public async Task InitializeAsync()
    {
        await Idp.StartAsync();
        if (IdpB is not null)
        {
            await IdpB.StartAsync();
        }

        await Orders.StartAsync();
        await Inventory.StartAsync();
        var settings = Settings(Idp, Orders, Inventory, _dataPath);
        foreach (var (key, value) in _overrides)
        {
            settings[key] = value;
        }

        _configureSettings?.Invoke(this, settings);

        Factory = new GatewayFactory(settings, _configureServices);
        if (_useKestrel)
        {
            Factory.UseKestrel(0);
            Factory.StartServer();
            KestrelAddress = new Uri(Factory.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        }

        Client = Factory.CreateClient();
        if (_waitForReady)
        {
            await WaitForReadyAsync(Client);
        }
    }

    public static async Task WaitForReadyAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            using var response = await client.GetAsync("/health");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The gateway did not become ready: " + await response.Content.ReadAsStringAsync());
            }

            await Task.Delay(25);
        }
    }

    public void ClearRecordings()
    {
        Orders.Clear();
        Inventory.Clear();
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Factory is not null)
        {
            await Factory.DisposeAsync();
        }

        await Idp.DisposeAsync();
        if (IdpB is not null)
        {
            await IdpB.DisposeAsync();
        }

        await Orders.DisposeAsync();
        await Inventory.DisposeAsync();
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }
}
