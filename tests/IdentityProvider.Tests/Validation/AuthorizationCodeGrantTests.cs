using System.Net;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using static Reference.IdentityProvider.Tests.IdentityProviderFactory;
using static Reference.IdentityProvider.Tests.TokenRequests;

namespace Reference.IdentityProvider.Tests.Validation;

public sealed class AuthorizationCodeGrantTests(LifecycleHost host) : IClassFixture<LifecycleHost>
{
    [Fact]
    public async Task Code_ValidRedemption_IssuesAccessIdAndRefreshTokens()
    {
        var code = await host.CreateCodeAsync(scope: "openid email offline_access orders.read");

        using var response = await host.RedeemAsync(code);
        var json = await ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.CacheControl());
        Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
        Assert.Equal("openid email offline_access orders.read", json.GetProperty("scope").GetString());
        Assert.Equal("id-token.alice.nonce-1", json.GetProperty("id_token").GetString());
        Assert.Equal(43, json.GetProperty("refresh_token").GetString()!.Length);

        using var client = host.CreateClient();
        var result = await ValidateAsync(client, json.GetProperty("access_token").GetString()!, "orders-api", host.Time);
        Assert.True(result.IsValid, result.Exception?.Message);
        var token = (JsonWebToken)result.SecurityToken;
        Assert.Equal(LifecycleHost.Alice, token.Subject);
        Assert.Equal(CodeClientId, token.GetClaim("client_id").Value);
        Assert.Equal("tenant-a", token.GetClaim("tenant_id").Value);
        Assert.Equal("alice@example.com", token.GetClaim("email").Value);
        Assert.Equal(["admin"], token.GetPayloadValue<string[]>("roles"));
        Assert.StartsWith("sid-", token.GetClaim("sid").Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Code_WithoutOfflineAccess_IssuesNoRefreshToken()
    {
        var json = await host.SignInAsync(scope: "openid orders.read");

        Assert.False(json.TryGetProperty("refresh_token", out _));
        Assert.True(json.TryGetProperty("id_token", out _));
    }

    [Fact]
    public async Task Code_WithoutOpenId_IssuesNoIdToken()
    {
        var json = await host.SignInAsync(scope: "orders.read");

        Assert.False(json.TryGetProperty("id_token", out _));
    }

    [Fact]
    public async Task Code_PublicClientWithClientIdOnly_IssuesTokens()
    {
        var code = await host.CreateCodeAsync(PublicClientId);

        using var response = await host.RedeemAsync(code, PublicClientId, secret: null);
        var json = await ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(json.TryGetProperty("refresh_token", out _));
    }

    [Fact]
    public async Task Code_ConfidentialClientWithClientIdOnly_ReturnsInvalidClient()
    {
        var code = await host.CreateCodeAsync();

        using var response = await host.RedeemAsync(code, CodeClientId, secret: null);

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client", "no credentials");
    }

    [Fact]
    public async Task PublicClient_ClientCredentials_ReturnsInvalidClient()
    {
        using var client = host.CreateClient();

        using var response = await client.SendAsync(Post([P("grant_type", "client_credentials"), P("client_id", PublicClientId)]));

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client", "public client_credentials");
    }

    [Fact]
    public async Task PublicClient_WithASecret_ReturnsInvalidClient()
    {
        var code = await host.CreateCodeAsync(PublicClientId);

        using var response = await host.RedeemAsync(code, PublicClientId, "guessed-secret");

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client", "public client with a secret");
    }

    public static TheoryData<string, string?> BadVerifiers => new()
    {
        { "missing", null },
        { "mismatch", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXX" },
        { "too short", "abc" },
        { "too long", new string('a', 129) },
        { "not unreserved", "dBjftJeZ4CVP+mB92K27uhbUJU1p1r/wW1gFWFOEjXk" },
        { "the challenge itself (plain downgrade)", LifecycleHost.Challenge },
    };

    [Theory]
    [MemberData(nameof(BadVerifiers))]
    public async Task Code_BadPkceVerifier_ReturnsInvalidGrant(string reason, string? verifier)
    {
        var code = await host.CreateCodeAsync();

        using var response = await host.RedeemAsync(code, verifier: verifier);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant", reason);
    }

    [Fact]
    public async Task Code_VerifierWithoutChallenge_ReturnsInvalidGrant()
    {
        var code = await host.CreateCodeAsync(challenge: string.Empty);

        using var response = await host.RedeemAsync(code);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant", "no challenge");
    }

    [Theory]
    [InlineData("https://app.example/callback/")]
    [InlineData("https://APP.example/callback")]
    [InlineData("https://app.example/callback?x=1")]
    [InlineData("https://app.example/callback#f")]
    [InlineData("https://app.example.evil.example/callback")]
    [InlineData("http://app.example/callback")]
    public async Task Code_RedirectUriNotExactlyTheCodes_ReturnsInvalidGrant(string redirectUri)
    {
        var code = await host.CreateCodeAsync();

        using var response = await host.RedeemAsync(code, redirectUri: redirectUri);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant", redirectUri);
    }

    [Fact]
    public async Task Code_OfAnotherClient_ReturnsInvalidGrant()
    {
        var code = await host.CreateCodeAsync(OtherCodeClientId);

        using var response = await host.RedeemAsync(code, CodeClientId, CodeClientSecret);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant", "foreign code");
    }

    [Fact]
    public async Task Code_Expired_ReturnsInvalidGrant()
    {
        var code = await host.CreateCodeAsync(lifetime: TimeSpan.FromSeconds(30));
        host.Time.Advance(TimeSpan.FromSeconds(31));

        using var response = await host.RedeemAsync(code);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant", "expired");
    }

    [Theory]
    [InlineData("unknown-code")]
    [InlineData("has spaces")]
    public async Task Code_Unknown_ReturnsInvalidGrant(string code)
    {
        using var response = await host.RedeemAsync(code);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant", code);
    }

    [Theory]
    [InlineData("grant_type=authorization_code&redirect_uri=https%3A%2F%2Fapp.example%2Fcallback&code_verifier=" + LifecycleHost.Verifier)]
    [InlineData("grant_type=authorization_code&code=abc&code_verifier=" + LifecycleHost.Verifier)]
    public async Task Code_MissingParameter_ReturnsInvalidRequest(string body)
    {
        using var client = host.CreateClient();

        using var response = await client.SendAsync(Post(body, CodeClientId, CodeClientSecret));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request", body);
    }

    [Fact]
    public async Task Code_WithAnApiScopeTheClientMayNotHave_ReturnsInvalidScope()
    {
        var code = await host.CreateCodeAsync(scope: "openid inventory.read");

        using var response = await host.RedeemAsync(code);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_scope", "inventory.read");
    }

    [Fact]
    public async Task Code_InactiveUser_ReturnsInvalidGrant()
    {
        var code = await host.CreateCodeAsync(subject: LifecycleHost.InactiveUser);

        using var response = await host.RedeemAsync(code);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant", "inactive user");
    }

    [Fact]
    public async Task Code_Replayed_ReturnsInvalidGrantAndRevokesWhatTheFirstRedemptionIssued()
    {
        var code = await host.CreateCodeAsync();
        using var first = await host.RedeemAsync(code);
        var issued = await ReadJsonAsync(first);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var accessToken = issued.GetProperty("access_token").GetString()!;
        Assert.True((await host.IntrospectAsync(accessToken)).GetProperty("active").GetBoolean());

        using var replay = await host.RedeemAsync(code);

        await AssertErrorAsync(replay, HttpStatusCode.BadRequest, "invalid_grant", "replay");
        using var refresh = await host.RefreshAsync(issued.GetProperty("refresh_token").GetString()!);
        await AssertErrorAsync(refresh, HttpStatusCode.BadRequest, "invalid_grant", "refresh after replay");
        Assert.Equal("""{"active":false}""", (await host.IntrospectAsync(accessToken)).GetRawText());
        Assert.True(await host.Redis.ExistsAsync("revoked:jti:" + new JsonWebToken(accessToken).Id));
        Assert.Contains(host.Factory.Logs.Lines, l => l.Contains("[4101]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Code_ReplayedAfterRefresh_RevokesTheRotatedTokensToo()
    {
        var code = await host.CreateCodeAsync();
        using var first = await host.RedeemAsync(code);
        var issued = await ReadJsonAsync(first);
        using var refreshed = await host.RefreshAsync(issued.GetProperty("refresh_token").GetString()!);
        var rotated = await ReadJsonAsync(refreshed);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);

        using var replay = await host.RedeemAsync(code);

        await AssertErrorAsync(replay, HttpStatusCode.BadRequest, "invalid_grant", "replay");
        using var refresh = await host.RefreshAsync(rotated.GetProperty("refresh_token").GetString()!);
        await AssertErrorAsync(refresh, HttpStatusCode.BadRequest, "invalid_grant", "rotated token after replay");
        Assert.False((await host.IntrospectAsync(rotated.GetProperty("access_token").GetString()!)).GetProperty("active").GetBoolean());
    }

    internal static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error, string because)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{because}: expected {(int)status}, got {(int)response.StatusCode} {body}");
        using var json = JsonDocument.Parse(body);
        Assert.True(error == json.RootElement.GetProperty("error").GetString(), $"{because}: expected {error}, got {body}");
        Assert.Equal("no-store", response.CacheControl());
    }
}
