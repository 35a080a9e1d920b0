using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using static Reference.IdentityProvider.Tests.IdentityProviderFactory;
using static Reference.IdentityProvider.Tests.TokenRequests;

namespace Reference.IdentityProvider.Tests.Endpoints;

public sealed class TokenEndpointTests(IdentityProviderFactory factory) : IClassFixture<IdentityProviderFactory>
{
    [Fact]
    public async Task ClientCredentials_BasicAuthentication_ReturnsRfc9068AccessToken()
    {
        var client = factory.CreateClient();
        var issuedAt = factory.Time.GetUtcNow();

        using var response = await client.SendAsync(Post([P("grant_type", "client_credentials"), P("scope", "orders.read orders.write")], TestClientId, TestClientSecret));
        var json = await ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
        Assert.Equal(600, json.GetProperty("expires_in").GetInt64());
        Assert.Equal("orders.read orders.write", json.GetProperty("scope").GetString());
        Assert.False(json.TryGetProperty("refresh_token", out _));

        var result = await ValidateAsync(client, json.GetProperty("access_token").GetString()!, "orders-api", factory.Time);
        Assert.True(result.IsValid, result.Exception?.Message);
        var token = (JsonWebToken)result.SecurityToken;
        Assert.Equal("at+jwt", token.Typ);
        Assert.Equal("RS256", token.Alg);
        Assert.Equal(Issuer, token.Issuer);
        Assert.Equal(["orders-api", "reference-api"], token.Audiences.Order(StringComparer.Ordinal));
        Assert.Equal(TestClientId, token.Subject);
        Assert.Equal(TestClientId, token.GetClaim("client_id").Value);
        Assert.Equal("orders.read orders.write", token.GetClaim("scope").Value);
        Assert.Equal("tenant-t", token.GetClaim("tenant_id").Value);
        Assert.False(string.IsNullOrEmpty(token.Id));
        Assert.Equal(issuedAt.UtcDateTime, token.IssuedAt);
        Assert.Equal(token.IssuedAt, token.ValidFrom);
        Assert.Equal(ConfiguredLifetime, token.ValidTo - token.IssuedAt);
    }

    [Fact]
    public async Task ClientCredentials_AudienceClaim_IsAlwaysAnArray()
    {
        var client = factory.CreateClient();

        var token = new JsonWebToken(await GetAccessTokenAsync(client, EsClientId, EsClientSecret));

        using var payload = JsonDocument.Parse(Base64UrlDecode(token.EncodedPayload));
        var aud = payload.RootElement.GetProperty("aud");
        Assert.Equal(JsonValueKind.Array, aud.ValueKind);
        Assert.Equal(["es-api"], aud.EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public async Task ClientCredentials_PostAuthentication_ReturnsToken()
    {
        var client = factory.CreateClient();

        using var response = await client.SendAsync(Post(
            [P("grant_type", "client_credentials"), P("client_id", TestClientId), P("client_secret", TestClientSecret), P("scope", "orders.read")]));
        var json = await ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await ValidateAsync(client, json.GetProperty("access_token").GetString()!, "reference-api", factory.Time);
        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal("orders.read", ((JsonWebToken)result.SecurityToken).GetClaim("scope").Value);
    }

    [Fact]
    public async Task ClientCredentials_BasicWithMatchingBodyClientId_ReturnsToken()
    {
        using var response = await factory.CreateClient().SendAsync(Post($"grant_type=client_credentials&client_id={TestClientId}", TestClientId, TestClientSecret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ClientCredentials_SecondConfiguredSecret_IsAccepted()
    {
        var client = factory.CreateClient();

        var token = await GetAccessTokenAsync(client, TestClientId, "an-older-secret-still-accepted", "orders.read");

        Assert.Equal(TestClientId, new JsonWebToken(token).Subject);
    }

    [Fact]
    public async Task ClientCredentials_BasicWithFormEncodedSpecialCharacters_Authenticates()
    {
        var client = factory.CreateClient();

        var token = await GetAccessTokenAsync(client, OddClientId, OddClientSecret);

        Assert.Equal(OddClientId, new JsonWebToken(token).GetClaim("client_id").Value);
    }

    [Fact]
    public async Task ClientCredentials_NoScopeParameter_GrantsEveryAllowedScope()
    {
        var client = factory.CreateClient();

        using var response = await client.SendAsync(Post([P("grant_type", "client_credentials")], "demo-client", DemoClientSecret));
        var json = await ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("orders.read orders.write inventory.read inventory.write", json.GetProperty("scope").GetString());
        var token = new JsonWebToken(json.GetProperty("access_token").GetString()!);
        Assert.Equal(["inventory-api", "orders-api", "reference-api"], token.Audiences.Order(StringComparer.Ordinal));
        Assert.Equal("tenant-a", token.GetClaim("tenant_id").Value);
    }

    [Fact]
    public async Task ClientCredentials_DemoClientB_GetsItsTenantAndOnlyOrdersRead()
    {
        var client = factory.CreateClient();

        var token = new JsonWebToken(await GetAccessTokenAsync(client, "demo-client-b", DemoClientBSecret));

        Assert.Equal("orders.read", token.GetClaim("scope").Value);
        Assert.Equal("tenant-b", token.GetClaim("tenant_id").Value);
    }

    [Fact]
    public async Task ClientCredentials_RepeatedScopeTokens_AreGrantedOnce()
    {
        var client = factory.CreateClient();

        var token = new JsonWebToken(await GetAccessTokenAsync(client, TestClientId, TestClientSecret, "orders.read orders.read"));

        Assert.Equal("orders.read", token.GetClaim("scope").Value);
    }

    [Fact]
    public async Task ClientCredentials_Es256Resource_SignsWithEs256Key()
    {
        var client = factory.CreateClient();

        var value = await GetAccessTokenAsync(client, EsClientId, EsClientSecret);

        var result = await ValidateAsync(client, value, "es-api", factory.Time);
        Assert.True(result.IsValid, result.Exception?.Message);
        var token = (JsonWebToken)result.SecurityToken;
        Assert.Equal("ES256", token.Alg);
        var jwks = await GetJwksAsync(client);
        Assert.Equal("EC", Assert.Single(jwks.Keys, k => k.Kid == token.Kid).Kty);
    }

    [Fact]
    public async Task ClientCredentials_AudiencesWithDifferentAlgorithms_SignsWithRs256()
    {
        var client = factory.CreateClient();

        var token = new JsonWebToken(await GetAccessTokenAsync(client, TestClientId, TestClientSecret, "es.read orders.read"));

        Assert.Equal("RS256", token.Alg);
        Assert.Equal(["es-api", "orders-api", "reference-api"], token.Audiences.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ClientCredentials_ClientLifetimeOverride_SetsExpiry()
    {
        var client = factory.CreateClient();

        using var response = await client.SendAsync(Post([P("grant_type", "client_credentials")], ShortLivedClientId, ShortLivedClientSecret));
        var json = await ReadJsonAsync(response);

        Assert.Equal(90, json.GetProperty("expires_in").GetInt64());
        var token = new JsonWebToken(json.GetProperty("access_token").GetString()!);
        Assert.Equal(TimeSpan.FromSeconds(90), token.ValidTo - token.IssuedAt);
    }

    [Fact]
    public async Task ClientCredentials_ClockAdvances_TimesFollowTheTimeProvider()
    {
        var client = factory.CreateClient();
        var first = new JsonWebToken(await GetAccessTokenAsync(client, TestClientId, TestClientSecret, "orders.read"));

        factory.Time.Advance(TimeSpan.FromHours(3));
        var second = new JsonWebToken(await GetAccessTokenAsync(client, TestClientId, TestClientSecret, "orders.read"));

        Assert.Equal(TimeSpan.FromHours(3), second.IssuedAt - first.IssuedAt);
        Assert.NotEqual(first.Id, second.Id);
        var expired = await ValidateAsync(client, first.EncodedToken, "orders-api", factory.Time);
        Assert.False(expired.IsValid);
        var current = await ValidateAsync(client, second.EncodedToken, "orders-api", factory.Time);
        Assert.True(current.IsValid, current.Exception?.Message);
    }

    [Fact]
    public async Task ClientCredentials_Success_IsNotCacheable()
    {
        var client = factory.CreateClient();

        using var response = await client.SendAsync(Post([P("grant_type", "client_credentials")], TestClientId, TestClientSecret));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.Contains("no-cache", response.Headers.Pragma.Select(p => p.Name));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ClientCredentials_ContentTypeWithUtf8Charset_IsAccepted()
    {
        var client = factory.CreateClient();
        using var request = Post("grant_type=client_credentials", TestClientId, TestClientSecret);
        request.Content!.Headers.ContentType!.CharSet = "UTF-8";

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ClientCredentials_Issued_CountsTokenByGrantAndClient()
    {
        var client = factory.CreateClient();
        var meterFactory = factory.Services.GetRequiredService<IMeterFactory>();
        var measurements = new List<(long Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meterFactory && instrument.Name == "idp.tokens.issued")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            lock (measurements)
            {
                measurements.Add((value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
            }
        });
        listener.Start();

        await GetAccessTokenAsync(client, ShortLivedClientId, ShortLivedClientSecret);

        lock (measurements)
        {
            var measurement = Assert.Single(measurements, m => Equals(m.Tags["oauth.client_id"], ShortLivedClientId));
            Assert.Equal(1, measurement.Value);
            Assert.Equal("client_credentials", measurement.Tags["oauth.grant_type"]);
        }
    }

    private static byte[] Base64UrlDecode(string value) => Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(value);
}
