using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using Reference.Gateway.Tests.Infrastructure;

namespace Reference.Gateway.Tests.Authentication;

/// <summary>Behaviour across a gateway's life: key loading, readiness, restarts.</summary>
public sealed class GatewayLifecycleTests
{
    [Fact]
    public async Task Requests_ManyValidTokens_JwksFetchedOnce()
    {
        await using var env = new GatewayEnvironment(new Dictionary<string, string?>());
        await env.InitializeAsync();

        for (var i = 0; i < 10; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/orders/{i}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", env.Idp.CreateToken(alg: i % 2 == 0 ? "RS256" : "ES256"));
            using var response = await env.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(10, env.Orders.Requests.Count);
        Assert.Equal(1, env.Idp.DiscoveryRequests);
        Assert.Equal(1, env.Idp.JwksRequests);
    }

    [Fact]
    public async Task Health_IssuerUnreachable_NotReadyButAlive_AndTokensRejected()
    {
        await using var env = new GatewayEnvironment(new Dictionary<string, string?>
        {
            ["services:identity:http:0"] = "http://127.0.0.1:1",
        }, waitForReady: false);
        await env.InitializeAsync();

        using var health = await env.Client.GetAsync("/health");
        using var alive = await env.Client.GetAsync("/alive");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/1");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", env.Idp.CreateToken());
        using var response = await env.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_token", body.RootElement.GetProperty("error").GetString());
        Assert.Empty(env.Orders.Requests);
    }

    [Fact]
    public async Task InternalKey_GatewayRestartsOnSameDataPath_SameKeyPublished()
    {
        await using var env = new GatewayEnvironment(new Dictionary<string, string?>());
        await env.InitializeAsync();
        var first = await PublishedKeyIdAsync(env.Client);

        await using var restarted = new GatewayFactory(GatewayEnvironment.Settings(env.Idp, env.Orders, env.Inventory, env.DataPath));
        using var client = restarted.CreateClient();
        var second = await PublishedKeyIdAsync(client);

        Assert.Equal(first, second);
        Assert.True(File.Exists(Path.Combine(env.DataPath, "keys", "internal-signing-es256.pem")));
    }

    private static async Task<string> PublishedKeyIdAsync(HttpClient client) =>
        Assert.Single(new JsonWebKeySet(await client.GetStringAsync("/.well-known/internal-jwks.json")).Keys).Kid;
}
