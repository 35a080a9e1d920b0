using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Reference.ServiceDefaults.Tests.Health;

public sealed class HealthEndpointTests
{
    private static Task<ServiceHost> StartWithFailingDependencyAsync(bool internalTokens) =>
        ServiceHost.StartAsync(
            new Dictionary<string, string?> { ["InternalTokens:Audience"] = "orders-api" },
            configureBuilder: b => b.Services.AddHealthChecks()
                .AddCheck("database", () => HealthCheckResult.Unhealthy("password=hunter2 at db.internal")),
            internalTokens: internalTokens);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Alive_FailingNonLiveCheck_Returns200Healthy(bool internalTokens)
    {
        await using var host = await StartWithFailingDependencyAsync(internalTokens);

        var response = await host.Client.GetAsync("/alive");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("self").GetString());
        Assert.False(body.RootElement.GetProperty("checks").TryGetProperty("database", out _));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Health_FailingNonLiveCheck_Returns503WithoutDetails(bool internalTokens)
    {
        await using var host = await StartWithFailingDependencyAsync(internalTokens);

        var response = await host.Client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        using var body = JsonDocument.Parse(text);
        Assert.Equal("Unhealthy", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("Unhealthy", body.RootElement.GetProperty("checks").GetProperty("database").GetString());
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("db.internal", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_AllChecksPass_Returns200()
    {
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string?> { ["InternalTokens:Audience"] = "orders-api" });

        var response = await host.Client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }
}
