using System.Net.Http.Json;
using Reference.AppHost.Testing;
using Reference.AppHost.Tests.Support;

namespace Reference.AppHost.Tests.Orchestration;

public sealed class EnvironmentConventionTests
{
    [Fact]
    public async Task Launch_ReferencesReplicasParametersAndOtlp_InjectsAspireConventions()
    {
        var builder = ReferenceAppTesting.CreateBuilder(o =>
        {
            o.Configuration["AppHost:Otlp:Endpoint"] = "http://127.0.0.1:4318";
            o.Configuration["Parameters:greeting"] = "hello";
        });
        var cache = builder.AddRedis("cache");
        var greeting = builder.AddParameter("greeting");
        var backend = builder.AddTestServer("backend").WithReplicas(2);
        var direct = builder.AddTestServer("direct").WithReplicas(2);
        builder.AddTestServer("dumper")
            .WithReference(backend).WithReplicaReference(direct).WithReference(cache)
            .WithEnvironment("PLAIN", "value")
            .WithEnvironment("BACKEND_URL", backend.GetEndpoint("http"))
            .WithEnvironment("GREETING", greeting)
            .WithEnvironment("COMPUTED", () => "computed-" + cache.Resource.ConnectionString.Length);
        await using var app = await ReferenceAppTesting.StartAsync(builder.Build(), TimeSpan.FromSeconds(60));
        using var client = app.CreateHttpClient("dumper");

        var environment = await client.GetFromJsonAsync<Dictionary<string, string>>(new Uri("/env", UriKind.Relative));

        var loadBalancer = app.GetEndpoint("backend").ToString().TrimEnd('/');
        var directReplicas = app.GetReplicaEndpoints("direct").Select(u => u.ToString().TrimEnd('/')).ToList();
        Assert.Equal(2, directReplicas.Distinct().Count());
        Assert.NotNull(environment);
        Assert.Equal(loadBalancer, environment["services__backend__http__0"]);
        Assert.DoesNotContain("services__backend__http__1", environment.Keys);
        Assert.Equal(directReplicas[0], environment["services__direct__http__0"]);
        Assert.Equal(directReplicas[1], environment["services__direct__http__1"]);
        Assert.Equal(loadBalancer, environment["BACKEND_URL"]);
        Assert.DoesNotContain("ForwardedHeaders__KnownProxies__0", environment.Keys);
        Assert.Equal(app.GetConnectionString("cache"), environment["ConnectionStrings__cache"]);
        Assert.Matches(@"^127\.0\.0\.1:\d+,password=[0-9A-F]{48}$", environment["ConnectionStrings__cache"]);
        Assert.Equal("value", environment["PLAIN"]);
        Assert.Equal("hello", environment["GREETING"]);
        Assert.Equal("computed-" + app.GetConnectionString("cache").Length, environment["COMPUTED"]);
        Assert.Equal(app.GetEndpoint("dumper").Port.ToString(), environment["PORT"]);
        Assert.Equal("dumper", environment["OTEL_SERVICE_NAME"]);
        Assert.StartsWith("service.instance.id=dumper-0-", environment["OTEL_RESOURCE_ATTRIBUTES"], StringComparison.Ordinal);
        Assert.Equal("http://127.0.0.1:4318", environment["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("http/protobuf", environment["OTEL_EXPORTER_OTLP_PROTOCOL"]);
        Assert.Equal(Environment.ProcessId.ToString(), environment["REFERENCE_APPHOST_PID"]);
    }

    [Fact]
    public async Task Replicas_EachProcess_HasItsOwnPortAndInstanceId()
    {
        var builder = ReferenceAppTesting.CreateBuilder();
        builder.AddTestServer("backend").WithReplicas(2);
        await using var app = await ReferenceAppTesting.StartAsync(builder.Build(), TimeSpan.FromSeconds(60));

        var pids = app.GetProcessIds("backend");
        var environments = pids.Select(ProcessTree.EnvironmentOf).ToList();

        Assert.Equal(2, pids.Distinct().Count());
        Assert.NotEqual(environments[0]["PORT"], environments[1]["PORT"]);
        Assert.NotEqual(environments[0]["OTEL_RESOURCE_ATTRIBUTES"], environments[1]["OTEL_RESOURCE_ATTRIBUTES"]);
        Assert.StartsWith("service.instance.id=backend-1-", environments[1]["OTEL_RESOURCE_ATTRIBUTES"], StringComparison.Ordinal);
        Assert.All(environments, e => Assert.Equal("127.0.0.1", e["ForwardedHeaders__KnownProxies__0"]));
    }
}
