using Reference.AppHost.Hosting.Orchestration;

namespace Reference.AppHost.Tests.Orchestration;

public sealed class ResourceLogStoreTests
{
    [Fact]
    public void Append_BeyondCapacity_KeepsOnlyTheLastLines()
    {
        var store = new ResourceLogStore(capacityPerResource: 3);

        foreach (var i in Enumerable.Range(1, 5))
        {
            store.Append("web", $"line {i}");
        }

        store.Append("other", "unrelated");

        Assert.Equal(["line 3", "line 4", "line 5"], store.GetTail("web", 10));
        Assert.Equal(["line 5"], store.GetTail("web", 1));
        Assert.Empty(store.GetTail("missing", 10));
    }

    [Fact]
    public void FormatTable_Snapshots_AlignsColumns()
    {
        var now = DateTimeOffset.UnixEpoch;
        ResourceSnapshot[] snapshots =
        [
            new("cache", "Redis", KnownResourceState.Running, ResourceHealthStatus.Healthy, ["tcp://127.0.0.1:6000"], [1], null, null, now),
            new("identity", "Project", KnownResourceState.Exited, ResourceHealthStatus.Unhealthy, ["http://127.0.0.1:5000"], [2], 1, null, now),
        ];

        var lines = ConsoleReporter.FormatTable(snapshots).Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(3, lines.Length);
        Assert.StartsWith("  NAME      TYPE     STATE    HEALTH", lines[0], StringComparison.Ordinal);
        Assert.Equal(lines[1].IndexOf("Redis", StringComparison.Ordinal), lines[2].IndexOf("Project", StringComparison.Ordinal));
        Assert.Contains("Exited", lines[2], StringComparison.Ordinal);
    }
}
