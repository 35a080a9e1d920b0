using System.Diagnostics;
using System.Net.Http.Json;
using Reference.AppHost.Testing;
using Reference.AppHost.Tests.Support;

namespace Reference.AppHost.Tests.LoadBalancing;

/// <summary>The AppHost's load balancer in front of replicas, with python test servers as the replicas.</summary>
public sealed class ReplicaLoadBalancerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task PublicEndpoint_TwoHealthyReplicas_AlternatesRoundRobin()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        builder.AddTestServer("backend").WithReplicas(2);
        await using var app = await ReferenceAppTesting.StartAsync(builder.Build(), Timeout);
        using var client = app.CreateHttpClient("backend");
        var replicaPorts = app.GetReplicaEndpoints("backend").Select(u => u.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();

        var served = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            served.Add(await ServedByAsync(client));
        }

        Assert.DoesNotContain(app.GetEndpoint("backend").Port.ToString(System.Globalization.CultureInfo.InvariantCulture), replicaPorts);
        Assert.Equal(2, served.Distinct().Count());
        Assert.All(served, port => Assert.Contains(port, replicaPorts));
        for (var i = 1; i < served.Count; i++)
        {
            Assert.NotEqual(served[i - 1], served[i]);
        }
    }

    [Fact]
    public async Task PublicEndpoint_ReplicaKilled_ServesEverythingFromTheOtherAndStaysRunning()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        builder.AddTestServer("backend").WithReplicas(2);
        await using var app = await ReferenceAppTesting.StartAsync(builder.Build(), Timeout);
        using var client = app.CreateHttpClient("backend");
        var survivorPort = app.GetReplicaEndpoints("backend")[1].Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var victim = Process.GetProcessById(app.GetResource("backend").Replicas[0].ProcessId!.Value);

        victim.Kill();
        var snapshot = await app.WaitForResourceAsync(
            "backend", s => s.Replicas[0].State == KnownResourceState.Exited && s.Health == ResourceHealthStatus.Unhealthy);
        var served = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            served.Add(await ServedByAsync(client));
        }

        Assert.All(served, port => Assert.Equal(survivorPort, port));
        Assert.Equal(KnownResourceState.Running, snapshot.State);
        Assert.Equal(ResourceHealthStatus.Unhealthy, snapshot.Health);
        Assert.Equal(KnownResourceState.Running, snapshot.Replicas[1].State);
        Assert.Equal([1], app.Application.LoadBalancers.Single().RoutedReplicas);
    }

    [Fact]
    public async Task PublicEndpoint_ReplicaFailsItsHealthCheck_GetsNoTrafficUntilHealthyAgain()
    {
        var flags = new[] { Path.GetTempFileName(), Path.GetTempFileName() };
        var launches = 0;
        try
        {
            var builder = ReferenceAppTesting.CreateBuilder();
            // Evaluated once per replica launch, in replica order: each replica gets its own health flag file.
            builder.AddTestServer("backend").WithReplicas(2).WithEnvironment("HEALTH_FLAG", () => flags[Interlocked.Increment(ref launches) - 1]);
            await using var app = await ReferenceAppTesting.StartAsync(builder.Build(), Timeout);
            using var client = app.CreateHttpClient("backend");
            var ports = app.GetReplicaEndpoints("backend").Select(u => u.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();

            File.Delete(flags[1]);
            await app.WaitForResourceAsync("backend", s => s.Replicas[1].Health == ResourceHealthStatus.Unhealthy);
            var whileUnhealthy = new List<string>();
            for (var i = 0; i < 4; i++)
            {
                whileUnhealthy.Add(await ServedByAsync(client));
            }

            await File.WriteAllTextAsync(flags[1], "ok");
            await app.WaitForResourceAsync("backend", s => s.Replicas.All(r => r.IsReady));
            var afterRecovery = new List<string>();
            for (var i = 0; i < 4; i++)
            {
                afterRecovery.Add(await ServedByAsync(client));
            }

            Assert.All(whileUnhealthy, port => Assert.Equal(ports[0], port));
            Assert.Equal(ports.Order(), afterRecovery.Distinct().Order());
        }
        finally
        {
            foreach (var flag in flags)
            {
                File.Delete(flag);
            }
        }
    }

    [Fact]
    public async Task PublicEndpoint_Forwarding_KeepsTheHostAndReplacesClientForwardedHeaders()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        builder.AddTestServer("backend").WithReplicas(2);
        await using var app = await ReferenceAppTesting.StartAsync(builder.Build(), Timeout);
        using var client = app.CreateHttpClient("backend");
        var publicAuthority = app.GetEndpoint("backend").Authority;
        using var request = new HttpRequestMessage(HttpMethod.Get, "/headers");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        request.Headers.Add("X-Forwarded-Host", "evil.example");

        using var response = await client.SendAsync(request);
        var headers = await response.Content.ReadFromJsonAsync<Dictionary<string, string>>();

        Assert.NotNull(headers);
        Assert.Equal(publicAuthority, headers["host"]);
        Assert.Equal(publicAuthority, headers["x-forwarded-host"]);
        Assert.Equal("http", headers["x-forwarded-proto"]);
        Assert.Equal("127.0.0.1", headers["x-forwarded-for"]);
    }

    [Fact]
    public async Task Snapshot_ReplicatedResource_ListsEveryReplicaAndTheLoadBalancerUrl()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        builder.AddTestServer("backend").WithReplicas(2);
        await using var app = await ReferenceAppTesting.StartAsync(builder.Build(), Timeout);

        var snapshot = app.GetResource("backend");
        var replicas = app.GetReplicaEndpoints("backend");

        Assert.Equal(app.GetEndpoint("backend").ToString().TrimEnd('/'), snapshot.LoadBalancerUrl);
        Assert.Equal([0, 1], snapshot.Replicas.Select(r => r.Index));
        Assert.All(snapshot.Replicas, r => Assert.True(r.IsReady));
        Assert.Equal(replicas.Select(u => u.ToString().TrimEnd('/')), snapshot.Replicas.Select(r => r.Url));
        Assert.Equal(snapshot.ProcessIds, snapshot.Replicas.Select(r => r.ProcessId!.Value));
    }

    [Fact]
    public async Task FixedPort_ReplicatedResource_IsTheLoadBalancersPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var builder = ReferenceAppTesting.CreateBuilder();
        builder.AddExecutable("backend", "python3", Path.GetTempPath(), "-c", "pass").WithHttpEndpoint(env: "PORT", port: port).WithReplicas(2);
        await using var app = builder.Build();
        var endpoint = ((ProcessResource)app.GetResource("backend")).GetEndpoint("http");

        Reference.AppHost.Hosting.Orchestration.PortAllocator.Allocate([(ProcessResource)app.GetResource("backend")]);

        Assert.True(endpoint.IsLoadBalanced);
        Assert.Equal(port, endpoint.Port);
        Assert.Equal(2, endpoint.Urls.Distinct().Count());
        Assert.DoesNotContain($"http://127.0.0.1:{port}", endpoint.Urls);
    }

    [Fact]
    public async Task SingleReplica_HasNoLoadBalancer_PublicEndpointIsTheProcess()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        builder.AddTestServer("backend");
        await using var app = await ReferenceAppTesting.StartAsync(builder.Build(), Timeout);

        Assert.Empty(app.Application.LoadBalancers);
        Assert.Null(app.GetResource("backend").LoadBalancerUrl);
        Assert.Equal(app.GetReplicaEndpoints("backend").Single(), app.GetEndpoint("backend"));
    }

    private static async Task<string> ServedByAsync(HttpClient client)
    {
        var environment = await client.GetFromJsonAsync<Dictionary<string, string>>(new Uri("/env", UriKind.Relative));
        return environment!["PORT"];
    }
}
