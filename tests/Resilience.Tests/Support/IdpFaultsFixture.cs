using System.Net;
using Reference.AppHost.Hosting;
using Reference.AppHost.Testing;
using Reference.Resilience.Tests.Faults;

namespace Reference.Resilience.Tests.Support;

/// <summary>
/// One system whose gateway reaches the IdP's JWKS through a <see cref="JwksFaultServer"/> and its introspection
/// endpoint through a <see cref="FaultProxy"/>, with short key lifetimes and introspection budgets. Every scenario
/// leaves both forwarding and the gateway ready again.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "xunit disposes the fixture through IAsyncLifetime.DisposeAsync.")]
public sealed class IdpFaultsFixture : IAsyncLifetime
{
    /// <summary>An active introspection result is trusted this long without asking again.</summary>
    public static readonly TimeSpan IntrospectionCacheDuration = TimeSpan.FromSeconds(1);

    /// <summary>The oldest cached positive result served while the introspection endpoint is down.</summary>
    public static readonly TimeSpan IntrospectionMaxCachedAge = TimeSpan.FromSeconds(30);

    /// <summary>How long the breaker stays open before a half-open probe.</summary>
    public static readonly TimeSpan IntrospectionBreakDuration = TimeSpan.FromSeconds(20);

    private ReferenceTestApp? _app;
    private JwksFaultServer? _jwks;
    private FaultProxy? _introspection;

    public ReferenceTestApp App => _app ?? throw new InvalidOperationException("Not started.");

    public JwksFaultServer Jwks => _jwks ?? throw new InvalidOperationException("Not started.");

    public FaultProxy Introspection => _introspection ?? throw new InvalidOperationException("Not started.");

    public string Issuer => ResilienceSystem.IdentityIssuer(App.Application);

    public async Task InitializeAsync()
    {
        DistributedApplication? application = null;
        _jwks = await JwksFaultServer.StartAsync(JwksFaultConfiguration.UpstreamJwks(() => application!), JwksFault.Forward);
        _introspection = new FaultProxy(() => new IPEndPoint(IPAddress.Loopback, ((ProcessResource)application!.GetResource("identity")).GetEndpoint("http").Port));
        var proxy = _introspection;
        _app = await ResilienceSystem.StartAsync(a =>
        {
            application = a;
            JwksFaultConfiguration.Apply(a, _jwks);
            const string Introspection = "Gateway__Introspection__";
            ResilienceSystem.SetEnvironment(a, "gateway", Introspection + "Endpoint", () => proxy.HttpAddress + "connect/introspect");
            ResilienceSystem.SetEnvironment(a, "gateway", Introspection + "Timeout", () => "00:00:01");
            ResilienceSystem.SetEnvironment(a, "gateway", Introspection + "CacheDuration", () => IntrospectionCacheDuration.ToString("c"));
            ResilienceSystem.SetEnvironment(a, "gateway", Introspection + "MaxCachedAge", () => IntrospectionMaxCachedAge.ToString("c"));
            ResilienceSystem.SetEnvironment(a, "gateway", Introspection + "BreakDuration", () => IntrospectionBreakDuration.ToString("c"));
        });
    }

    /// <summary>Both dependencies forward again and the gateway is ready.</summary>
    public async Task RestoreAsync()
    {
        Jwks.Mode = JwksFault.Forward;
        Introspection.SetMode(FaultMode.Forward);
        // Every gateway replica, directly: each has its own JWKS cache, breaker and introspection cache.
        var reference = await ResilienceSystem.GetTokenAsync(App, "demo-reference", "orders.read");
        for (var replica = 0; replica < App.GetReplicaEndpoints("gateway").Count; replica++)
        {
            using var gateway = App.CreateReplicaHttpClient("gateway", replica);
            await ResilienceSystem.WaitUntilAsync(
                async () => (await ResilienceSystem.GetHealthAsync(gateway)).Status == HttpStatusCode.OK, TimeSpan.FromSeconds(90), "the gateway is ready again");

            // A breaker left open by a scenario closes after its break duration and a successful probe.
            await ResilienceSystem.WaitUntilAsync(
                async () =>
                {
                    using var response = await ResilienceSystem.GetWithTokenAsync(gateway, "/opaque/orders/whoami", reference);
                    return response.StatusCode == HttpStatusCode.OK;
                },
                IntrospectionBreakDuration + TimeSpan.FromSeconds(60),
                "introspection works again");
        }
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        if (_jwks is not null)
        {
            await _jwks.DisposeAsync();
        }

        if (_introspection is not null)
        {
            await _introspection.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class IdpFaultsGroup : ICollectionFixture<IdpFaultsFixture>
{
    public const string Name = "IdP faults";
}
