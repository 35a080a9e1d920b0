using System.Net;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Reference.ServiceDefaults.InternalTokens;

namespace Reference.ServiceDefaults.Tests.TrustedHeaders;

public sealed class TrustedHeaderIdentityTests
{
    private static Task<ServiceHost> StartAsync(Dictionary<string, string?> configuration) =>
        ServiceHost.StartAsync(
            configuration,
            configureBuilder: b => b.AddTrustedHeaderIdentity(),
            configureApp: app =>
            {
                app.MapGet("/whoami", (ClaimsPrincipal user) => TypedResults.Ok(CallerIdentity.FromPrincipal(user)));
                app.MapGet("/orders", () => TypedResults.Ok("orders")).RequireAuthorization(p => p.RequireScope("orders.read"));
            },
            useKestrel: true,
            internalTokens: false);

    private static HttpRequestMessage WithIdentity(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-User-Id", "alice");
        request.Headers.Add("X-Tenant-Id", "tenant-a");
        request.Headers.Add("X-Token-Scopes", "orders.read inventory.read");
        request.Headers.Add("X-User-Roles", "orders.admin");
        request.Headers.Add("X-User-Email", "alice@example.test");
        return request;
    }

    [Fact]
    public async Task Headers_FromGatewayNetwork_BuildIdentity()
    {
        await using var host = await StartAsync(new() { ["TrustedHeaders:GatewayNetworks:0"] = "127.0.0.0/8" });

        var response = await host.Client.SendAsync(WithIdentity("/whoami"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        Assert.Equal("alice", root.GetProperty("subject").GetString());
        Assert.Equal("tenant-a", root.GetProperty("tenantId").GetString());
        Assert.Equal(["orders.read", "inventory.read"], root.GetProperty("scopes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["orders.admin"], root.GetProperty("roles").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("alice@example.test", root.GetProperty("email").GetString());
        Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(WithIdentity("/orders"))).StatusCode);
    }

    [Fact]
    public async Task Headers_FromGatewayProxyAddress_Accepted()
    {
        await using var host = await StartAsync(new() { ["TrustedHeaders:GatewayProxies:0"] = "127.0.0.1" });

        var response = await host.Client.SendAsync(WithIdentity("/whoami"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Headers_FromOtherNetwork_Returns401UntrustedSource()
    {
        await using var host = await StartAsync(new() { ["TrustedHeaders:GatewayNetworks:0"] = "10.0.0.0/8" });

        var response = await host.Client.SendAsync(WithIdentity("/whoami"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("untrusted_source", body.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task NoUserHeader_FromGatewayNetwork_Returns401MissingIdentity()
    {
        await using var host = await StartAsync(new() { ["TrustedHeaders:GatewayNetworks:0"] = "127.0.0.0/8" });

        var response = await host.Client.GetAsync(new Uri("/whoami", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("missing_identity", body.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task MissingScopeHeader_Returns403InsufficientScope()
    {
        await using var host = await StartAsync(new() { ["TrustedHeaders:GatewayNetworks:0"] = "127.0.0.0/8" });
        var request = new HttpRequestMessage(HttpMethod.Get, "/orders");
        request.Headers.Add("X-User-Id", "alice");

        var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("insufficient_scope", body.RootElement.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData(null, "TrustedHeaders:GatewayNetworks")]
    [InlineData("not-a-cidr", "TrustedHeaders:GatewayNetworks:0")]
    public async Task Startup_WithoutGatewayNetwork_FailsNamingTheKey(string? network, string key)
    {
        var configuration = new Dictionary<string, string?>();
        if (network is not null)
        {
            configuration["TrustedHeaders:GatewayNetworks:0"] = network;
        }

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(configuration));

        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
    }
}
