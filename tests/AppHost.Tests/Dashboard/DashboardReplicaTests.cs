using Reference.AppHost.Hosting.Orchestration;

namespace Reference.AppHost.Tests.Dashboard;

public sealed class DashboardReplicaTests
{
    [Fact]
    public async Task Resources_ReplicatedResource_ShowsTheLoadBalancerAndARowPerReplica()
    {
        await using var dashboard = await DashboardTestHost.StartAsync();
        dashboard.Notifications.Initialize(new DashboardAccessTests.TestResource("gateway"));
        dashboard.Notifications.Publish("gateway", s => s! with
        {
            State = KnownResourceState.Running,
            Health = ResourceHealthStatus.Unhealthy,
            LoadBalancerUrl = "http://127.0.0.1:5000",
            Urls = ["http://127.0.0.1:5001", "http://127.0.0.1:5002"],
            ProcessIds = [101, 102],
            Replicas =
            [
                new ReplicaSnapshot(0, KnownResourceState.Running, ResourceHealthStatus.Healthy, 101, "http://127.0.0.1:5001", null),
                new ReplicaSnapshot(1, KnownResourceState.Exited, ResourceHealthStatus.Unknown, 102, "http://127.0.0.1:5002", 137),
            ],
        });
        using var client = dashboard.CreateSignedInClient();

        var html = await client.GetStringAsync("/resources?partial=1");

        Assert.Contains("href=\"http://127.0.0.1:5000/\"", html, StringComparison.Ordinal);
        Assert.Contains("load balancer", html, StringComparison.Ordinal);
        Assert.Contains("<tr class=\"replica\" data-resource=\"gateway\" data-replica=\"0\">", html, StringComparison.Ordinal);
        Assert.Contains("<tr class=\"replica\" data-resource=\"gateway\" data-replica=\"1\">", html, StringComparison.Ordinal);
        Assert.Contains("href=\"http://127.0.0.1:5002/\"", html, StringComparison.Ordinal);
        Assert.Contains("exit code 137", html, StringComparison.Ordinal);
        Assert.Contains("receives traffic", html, StringComparison.Ordinal);
        Assert.Contains("no traffic", html, StringComparison.Ordinal);
        Assert.Contains("/console?resource=gateway%231", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Console_Replica_ShowsOnlyThatReplicasLines()
    {
        await using var dashboard = await DashboardTestHost.StartAsync();
        dashboard.Notifications.Initialize(new DashboardAccessTests.TestResource("gateway"));
        dashboard.Notifications.Publish("gateway", s => s! with
        {
            Replicas =
            [
                new ReplicaSnapshot(0, KnownResourceState.Running, ResourceHealthStatus.Healthy, 101, null, null),
                new ReplicaSnapshot(1, KnownResourceState.Running, ResourceHealthStatus.Healthy, 102, null, null),
            ],
        });
        foreach (var (replica, line) in new[] { (0, "from replica zero"), (1, "from replica one") })
        {
            dashboard.ConsoleLogs.Append("gateway", line);
            dashboard.ConsoleLogs.Append(ResourceLogStore.ReplicaKey("gateway", replica), line);
        }

        using var client = dashboard.CreateSignedInClient();

        var one = await client.GetStringAsync("/console?resource=gateway%231&partial=1");
        var all = await client.GetStringAsync("/console?resource=gateway&partial=1");
        var page = await client.GetStringAsync("/console?resource=gateway%231");

        Assert.Contains("from replica one", one, StringComparison.Ordinal);
        Assert.DoesNotContain("from replica zero", one, StringComparison.Ordinal);
        Assert.Contains("from replica zero", all, StringComparison.Ordinal);
        Assert.Contains("from replica one", all, StringComparison.Ordinal);
        Assert.Contains("gateway replica 1", page, StringComparison.Ordinal);
    }
}
