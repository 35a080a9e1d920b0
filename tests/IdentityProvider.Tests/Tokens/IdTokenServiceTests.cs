using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using static Reference.IdentityProvider.Tests.IdentityProviderFactory;

namespace Reference.IdentityProvider.Tests.Tokens;

public sealed class IdTokenServiceTests(IdentityProviderFactory factory) : IClassFixture<IdentityProviderFactory>
{
    private const string SessionId = "sid-0123456789abcdefghijklmnopqrstuvwxyzABCD";

    [Fact]
    public async Task IdToken_AllScopes_CarriesOidcClaims()
    {
        const string AccessToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";

        var token = await SelfIssuedTokens.IdTokenAsync(factory, "demo-web", "alice", SessionId, accessToken: AccessToken);
        var jwt = await SelfIssuedTokens.ValidateAsync(factory, token, "demo-web", "JWT");

        var expectedAtHash = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(AccessToken)).AsSpan(0, 16));
        Assert.Equal("RS256", jwt.Alg);
        Assert.Equal("JWT", jwt.Typ);
        Assert.Equal(Issuer, jwt.Issuer);
        Assert.Equal("0b6c1a9e-alice", jwt.Subject);
        Assert.Equal(["demo-web"], jwt.Audiences);
        Assert.Equal("demo-web", jwt.GetClaim("azp").Value);
        Assert.Equal("n-456", jwt.GetClaim("nonce").Value);
        Assert.Equal(SessionId, jwt.GetClaim("sid").Value);
        Assert.Equal(expectedAtHash, jwt.GetClaim("at_hash").Value);
        Assert.Equal("pwd", jwt.GetClaim("amr").Value);
        Assert.Equal("tenant-a", jwt.GetClaim("tenant_id").Value);
        Assert.Equal("alice@tenant-a.example", jwt.GetClaim("email").Value);
        Assert.Equal("true", jwt.GetClaim("email_verified").Value);
        Assert.Equal("Alice (DEV-ONLY)", jwt.GetClaim("name").Value);
        Assert.Equal(factory.Time.GetUtcNow().AddMinutes(-1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), jwt.GetClaim("auth_time").Value);
        Assert.Equal(TimeSpan.FromMinutes(5), jwt.ValidTo - jwt.IssuedAt);
    }

    [Fact]
    public async Task IdToken_OpenIdOnlyWithoutNonceOrAccessToken_OmitsOptionalClaims()
    {
        var token = await SelfIssuedTokens.IdTokenAsync(factory, "demo-web", "alice", SessionId, ["openid"], nonce: null);
        var jwt = await SelfIssuedTokens.ValidateAsync(factory, token, "demo-web", "JWT");

        Assert.False(jwt.TryGetClaim("nonce", out _));
        Assert.False(jwt.TryGetClaim("at_hash", out _));
        Assert.False(jwt.TryGetClaim("email", out _));
        Assert.False(jwt.TryGetClaim("name", out _));
        Assert.Equal("0b6c1a9e-alice", jwt.Subject);
    }

    [Fact]
    public async Task IdToken_EmailWithoutProfile_HasEmailButNoName()
    {
        var token = await SelfIssuedTokens.IdTokenAsync(factory, "demo-spa", "carol", SessionId, ["openid", "email"]);
        var jwt = await SelfIssuedTokens.ValidateAsync(factory, token, "demo-spa", "JWT");

        Assert.Equal("carol@tenant-a.example", jwt.GetClaim("email").Value);
        Assert.Equal("false", jwt.GetClaim("email_verified").Value);
        Assert.False(jwt.TryGetClaim("name", out _));
    }
}
