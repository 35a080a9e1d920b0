using System.Net;
using static Reference.IdentityProvider.Tests.IdentityProviderFactory;
using static Reference.IdentityProvider.Tests.TokenRequests;

namespace Reference.IdentityProvider.Tests.Tokens;

public sealed class ReferenceTokenTests(LifecycleHost host) : IClassFixture<LifecycleHost>
{
    [Fact]
    public async Task ReferenceClient_ClientCredentials_IssuesOpaqueHandleStoredHashed()
    {
        using var client = host.CreateClient();

        var token = await GetAccessTokenAsync(client, ReferenceClientId, ReferenceClientSecret, "orders.read");

        Assert.Equal(43, token.Length);
        Assert.DoesNotContain('.', token);
        var keys = new List<string>();
        await foreach (var key in host.Redis.ScanAsync(host.Factory.KeyPrefix + "reftoken:*"))
        {
            keys.Add(key);
        }

        Assert.NotEmpty(keys);
        Assert.DoesNotContain(keys, k => k.Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReferenceToken_Introspected_ReturnsItsClaims()
    {
        using var client = host.CreateClient();
        var token = await GetAccessTokenAsync(client, ReferenceClientId, ReferenceClientSecret, "orders.read");

        var json = await host.IntrospectAsync(token);

        Assert.True(json.GetProperty("active").GetBoolean());
        Assert.Equal(ReferenceClientId, json.GetProperty("client_id").GetString());
        Assert.Equal(ReferenceClientId, json.GetProperty("sub").GetString());
        Assert.Equal("orders.read", json.GetProperty("scope").GetString());
        Assert.Equal(Issuer, json.GetProperty("iss").GetString());
        Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
        Assert.Equal(["orders-api", "reference-api"], json.GetProperty("aud").EnumerateArray().Select(a => a.GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(host.Time.GetUtcNow().ToUnixTimeSeconds() + 600, json.GetProperty("exp").GetInt64());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("jti").GetString()));
    }

    [Fact]
    public async Task ReferenceToken_PastItsLifetime_IsInactive()
    {
        using var client = host.CreateClient();
        var token = await GetAccessTokenAsync(client, ReferenceClientId, ReferenceClientSecret, "orders.read");

        host.Time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal("""{"active":false}""", (await host.IntrospectAsync(token)).GetRawText());
    }

    [Fact]
    public async Task DemoReferenceClient_FromAppSettings_GetsReferenceTokens()
    {
        using var client = host.CreateClient();

        using var response = await client.SendAsync(Post([P("grant_type", "client_credentials"), P("scope", "orders.read")], "demo-reference", DemoReferenceSecret));
        var json = await ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(43, json.GetProperty("access_token").GetString()!.Length);
        Assert.Equal("tenant-a", (await host.IntrospectAsync(json.GetProperty("access_token").GetString()!)).GetProperty("tenant_id").GetString());
    }
}
