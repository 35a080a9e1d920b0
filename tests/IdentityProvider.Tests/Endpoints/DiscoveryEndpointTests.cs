using System.Net;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using static Reference.IdentityProvider.Tests.IdentityProviderFactory;
using static Reference.IdentityProvider.Tests.TokenRequests;

namespace Reference.IdentityProvider.Tests.Endpoints;

public sealed class DiscoveryEndpointTests(IdentityProviderFactory factory) : IClassFixture<IdentityProviderFactory>
{
    [Fact]
    public async Task Discovery_Get_AdvertisesWhatTheTokenEndpointImplements()
    {
        using var response = await factory.CreateClient().GetAsync(DiscoveryPath);
        var json = await ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Issuer, json.GetProperty("issuer").GetString());
        Assert.Equal($"{Issuer}/.well-known/jwks", json.GetProperty("jwks_uri").GetString());
        Assert.Equal($"{Issuer}/connect/token", json.GetProperty("token_endpoint").GetString());
        Assert.Equal(["authorization_code", "refresh_token", "client_credentials", "urn:ietf:params:oauth:grant-type:token-exchange"], Strings(json, "grant_types_supported"));
        Assert.Equal(["client_secret_basic", "client_secret_post", "private_key_jwt", "none"], Strings(json, "token_endpoint_auth_methods_supported"));
        Assert.Equal(
            ["openid", "profile", "email", "offline_access", "es.read", "inventory.read", "inventory.write", "orders.read", "orders.write"],
            Strings(json, "scopes_supported"));
        Assert.Equal(
            ["amr", "auth_time", "azp", "client_id", "email", "email_verified", "name", "preferred_username", "scope", "sid", "sub", "tenant_id"],
            Strings(json, "claims_supported"));
    }

    [Fact]
    public async Task Discovery_Get_AdvertisesTheBrowserFlow()
    {
        var json = await ReadJsonAsync(await factory.CreateClient().GetAsync(DiscoveryPath));

        Assert.Equal($"{Issuer}/connect/authorize", json.GetProperty("authorization_endpoint").GetString());
        Assert.Equal($"{Issuer}/connect/userinfo", json.GetProperty("userinfo_endpoint").GetString());
        Assert.Equal($"{Issuer}/connect/endsession", json.GetProperty("end_session_endpoint").GetString());
        Assert.Equal($"{Issuer}/connect/introspect", json.GetProperty("introspection_endpoint").GetString());
        Assert.Equal($"{Issuer}/connect/revocation", json.GetProperty("revocation_endpoint").GetString());
        Assert.Equal(["code"], Strings(json, "response_types_supported"));
        Assert.Equal(["query"], Strings(json, "response_modes_supported"));
        Assert.Equal(["public"], Strings(json, "subject_types_supported"));
        Assert.Equal(["RS256"], Strings(json, "id_token_signing_alg_values_supported"));
        Assert.Equal(["S256"], Strings(json, "code_challenge_methods_supported"));
        Assert.Equal(["none", "login"], Strings(json, "prompt_values_supported"));
        Assert.Equal(Strings(json, "token_endpoint_auth_methods_supported"), Strings(json, "introspection_endpoint_auth_methods_supported"));
        Assert.Equal(Strings(json, "token_endpoint_auth_methods_supported"), Strings(json, "revocation_endpoint_auth_methods_supported"));
        Assert.False(json.GetProperty("claims_parameter_supported").GetBoolean());
        Assert.False(json.GetProperty("request_parameter_supported").GetBoolean());
        Assert.False(json.GetProperty("request_uri_parameter_supported").GetBoolean());
        Assert.True(json.GetProperty("backchannel_logout_supported").GetBoolean());
        Assert.True(json.GetProperty("backchannel_logout_session_supported").GetBoolean());
        Assert.True(json.GetProperty("authorization_response_iss_parameter_supported").GetBoolean());
    }

    [Theory]
    [InlineData("registration_endpoint")]
    [InlineData("check_session_iframe")]
    [InlineData("frontchannel_logout_supported")]
    [InlineData("request_object_signing_alg_values_supported")]
    public async Task Discovery_FeatureNotImplemented_IsNotAdvertised(string member)
    {
        var json = await ReadJsonAsync(await factory.CreateClient().GetAsync(DiscoveryPath));

        Assert.False(json.TryGetProperty(member, out _), $"{member} is advertised but not implemented");
    }

    [Fact]
    public async Task Discovery_AdvertisedEndpoints_Resolve()
    {
        var client = factory.CreateClient();
        var json = await ReadJsonAsync(await client.GetAsync(DiscoveryPath));

        using var jwks = await client.GetAsync(json.GetProperty("jwks_uri").GetString());
        using var token = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, json.GetProperty("token_endpoint").GetString())
        {
            Content = new FormUrlEncodedContent([P("grant_type", "client_credentials")]),
            Headers = { Authorization = Basic(TestClientId, TestClientSecret) },
        });

        Assert.Equal(HttpStatusCode.OK, jwks.StatusCode);
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
    }

    [Fact]
    public async Task Discovery_SpoofedHostHeader_DoesNotChangeAdvertisedUrls()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, DiscoveryPath);
        request.Headers.Host = "attacker.example";
        request.Headers.Add("X-Forwarded-Host", "attacker.example");

        var json = await ReadJsonAsync(await factory.CreateClient().SendAsync(request));

        Assert.DoesNotContain("attacker", json.ToString(), StringComparison.Ordinal);
        Assert.Equal(Issuer, json.GetProperty("issuer").GetString());
    }

    [Theory]
    [InlineData(DiscoveryPath)]
    [InlineData(JwksPath)]
    public async Task Metadata_Get_IsPubliclyCacheableForFiveMinutes(string path)
    {
        using var response = await factory.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.Public);
        Assert.Equal(TimeSpan.FromMinutes(5), response.Headers.CacheControl?.MaxAge);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Discovery_ReadByMicrosoftIdentityModel_ValidatesIssuedTokens()
    {
        var client = factory.CreateClient();
        var retriever = new HttpDocumentRetriever(client) { RequireHttps = false };
        var manager = new ConfigurationManager<OpenIdConnectConfiguration>(Issuer + DiscoveryPath, new OpenIdConnectConfigurationRetriever(), retriever);

        var configuration = await manager.GetConfigurationAsync(CancellationToken.None);
        var token = await GetAccessTokenAsync(client, TestClientId, TestClientSecret, "orders.read");
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = configuration.Issuer,
            ValidAudience = "orders-api",
            ValidTypes = ["at+jwt"],
            IssuerSigningKeys = configuration.SigningKeys,
            LifetimeValidator = (notBefore, expires, _, _) => notBefore <= factory.Time.GetUtcNow().UtcDateTime && factory.Time.GetUtcNow().UtcDateTime < expires,
        });

        Assert.Equal(Issuer, configuration.Issuer);
        Assert.Equal(2, configuration.SigningKeys.Count);
        Assert.True(result.IsValid, result.Exception?.Message);
    }

    [Theory]
    [InlineData("POST", DiscoveryPath)]
    [InlineData("DELETE", JwksPath)]
    public async Task Metadata_NonGetMethod_IsNotAllowed(string method, string path)
    {
        using var response = await factory.CreateClient().SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    private static string[] Strings(JsonElement json, string member) =>
        [.. json.GetProperty(member).EnumerateArray().Select(e => e.GetString()!)];
}
