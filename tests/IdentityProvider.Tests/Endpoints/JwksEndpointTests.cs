using System.Net;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static Reference.IdentityProvider.Tests.IdentityProviderFactory;
using static Reference.IdentityProvider.Tests.TokenRequests;

namespace Reference.IdentityProvider.Tests.Endpoints;

public sealed class JwksEndpointTests(IdentityProviderFactory factory) : IClassFixture<IdentityProviderFactory>
{
    private static readonly Dictionary<string, string[]> PublicMembers = new(StringComparer.Ordinal)
    {
        ["RSA"] = ["kty", "use", "alg", "kid", "n", "e"],
        ["EC"] = ["kty", "use", "alg", "kid", "crv", "x", "y"],
    };

    [Fact]
    public async Task Jwks_Keys_CarryOnlyPublicMembers()
    {
        using var response = await factory.CreateClient().GetAsync(JwksPath);
        var json = await ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["keys"], json.EnumerateObject().Select(p => p.Name));
        var keys = json.GetProperty("keys").EnumerateArray().ToList();
        Assert.Equal(2, keys.Count);
        foreach (var key in keys)
        {
            var kty = key.GetProperty("kty").GetString()!;
            Assert.Equal(PublicMembers[kty].Order(StringComparer.Ordinal), key.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            Assert.Equal("sig", key.GetProperty("use").GetString());
        }
    }

    [Fact]
    public async Task Jwks_Keys_AreRsa2048ForRs256AndP256ForEs256()
    {
        var jwks = await GetJwksAsync(factory.CreateClient());

        var rsa = Assert.Single(jwks.Keys, k => k.Alg == "RS256");
        Assert.Equal("RSA", rsa.Kty);
        Assert.Equal(2048, Base64UrlEncoder.DecodeBytes(rsa.N).Length * 8);
        Assert.Equal("AQAB", rsa.E);
        var ec = Assert.Single(jwks.Keys, k => k.Alg == "ES256");
        Assert.Equal("EC", ec.Kty);
        Assert.Equal("P-256", ec.Crv);
        Assert.Equal(32, Base64UrlEncoder.DecodeBytes(ec.X).Length);
        Assert.Equal(32, Base64UrlEncoder.DecodeBytes(ec.Y).Length);
    }

    [Fact]
    public async Task Jwks_KeyIds_AreRfc7638Thumbprints()
    {
        var jwks = await GetJwksAsync(factory.CreateClient());

        Assert.All(jwks.Keys, key => Assert.Equal(Base64UrlEncoder.Encode(key.ComputeJwkThumbprint()), key.Kid));
    }

    [Theory]
    [InlineData(TestClientId, TestClientSecret, "RS256")]
    [InlineData(EsClientId, EsClientSecret, "ES256")]
    public async Task Jwks_TokenHeaderKid_NamesThePublishedKeyForItsAlgorithm(string clientId, string secret, string algorithm)
    {
        var client = factory.CreateClient();

        var token = new JsonWebToken(await GetAccessTokenAsync(client, clientId, secret));
        var jwks = await GetJwksAsync(client);

        Assert.Equal(algorithm, token.Alg);
        Assert.Equal(algorithm, Assert.Single(jwks.Keys, k => k.Kid == token.Kid).Alg);
    }

    [Fact]
    public async Task Jwks_Response_ContainsNoPrivateKeyMember()
    {
        var text = await factory.CreateClient().GetStringAsync(JwksPath);

        using var document = JsonDocument.Parse(text);
        foreach (var key in document.RootElement.GetProperty("keys").EnumerateArray())
        {
            foreach (var member in new[] { "d", "p", "q", "dp", "dq", "qi", "oth", "k" })
            {
                Assert.False(key.TryGetProperty(member, out _), $"private member '{member}' published");
            }
        }
    }
}
