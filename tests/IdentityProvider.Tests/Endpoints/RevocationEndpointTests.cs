using System.Net;
using Microsoft.IdentityModel.JsonWebTokens;
using static Reference.IdentityProvider.Tests.IdentityProviderFactory;
using static Reference.IdentityProvider.Tests.TokenRequests;
using static Reference.IdentityProvider.Tests.Validation.AuthorizationCodeGrantTests;
using static Reference.IdentityProvider.Tests.Validation.RefreshTokenGrantTests;

namespace Reference.IdentityProvider.Tests.Endpoints;

public sealed class RevocationEndpointTests(LifecycleHost host) : IClassFixture<LifecycleHost>
{
    [Fact]
    public async Task Revoke_OwnJwtAccessToken_DeniesItsJtiAndPublishes()
    {
        using var client = host.CreateClient();
        var token = await GetAccessTokenAsync(client, TestClientId, TestClientSecret, "orders.read");
        var jti = new JsonWebToken(token).Id;
        var messages = new List<string>();
        await using var subscription = await host.Redis.SubscribeAsync("reference:revocations", m => { lock (messages) { messages.Add(m.Message.ToString()); } });

        using var response = await host.RevokeAsync(token, TestClientId, TestClientSecret);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.CacheControl());
        Assert.True(await host.Redis.ExistsAsync("revoked:jti:" + jti));
        var ttl = await host.Redis.GetTimeToLiveAsync("revoked:jti:" + jti);
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        Assert.Equal("""{"active":false}""", (await host.IntrospectAsync(token)).GetRawText());
        await WaitUntilAsync(() => { lock (messages) { return messages.Contains($$"""{"type":"jti","value":"{{jti}}","exp":{{new JsonWebToken(token).ValidTo.Subtract(DateTime.UnixEpoch).TotalSeconds}}}"""); } });
    }

    [Fact]
    public async Task Revoke_ForeignJwtAccessToken_Returns200ButLeavesItActive()
    {
        using var client = host.CreateClient();
        var token = await GetAccessTokenAsync(client, TestClientId, TestClientSecret, "orders.read");

        using var response = await host.RevokeAsync(token, "demo-client", DemoClientSecret);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(await host.Redis.ExistsAsync("revoked:jti:" + new JsonWebToken(token).Id));
        Assert.True((await host.IntrospectAsync(token)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Revoke_OwnRefreshToken_RevokesTheFamily()
    {
        var signIn = await host.SignInAsync();
        using var refreshed = await host.RefreshAsync(signIn.GetProperty("refresh_token").GetString()!);
        var rotated = await ReadJsonAsync(refreshed);

        using var response = await host.RevokeAsync(rotated.GetProperty("refresh_token").GetString()!, hint: "refresh_token");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var refresh = await host.RefreshAsync(rotated.GetProperty("refresh_token").GetString()!);
        await AssertErrorAsync(refresh, HttpStatusCode.BadRequest, "invalid_grant", "revoked family");
        Assert.False((await host.IntrospectAsync(signIn.GetProperty("access_token").GetString()!)).GetProperty("active").GetBoolean());
        Assert.False((await host.IntrospectAsync(rotated.GetProperty("access_token").GetString()!)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Revoke_ForeignRefreshToken_Returns200ButLeavesItUsable()
    {
        var refreshToken = (await host.SignInAsync()).GetProperty("refresh_token").GetString()!;

        using var response = await host.RevokeAsync(refreshToken, OtherCodeClientId, OtherCodeClientSecret);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var refresh = await host.RefreshAsync(refreshToken);
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
    }

    [Fact]
    public async Task Revoke_PublicClientsOwnRefreshToken_Revokes()
    {
        var refreshToken = (await host.SignInAsync(PublicClientId, secret: null)).GetProperty("refresh_token").GetString()!;

        using var response = await host.RevokeAsync(refreshToken, PublicClientId, secret: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var refresh = await host.RefreshAsync(refreshToken, PublicClientId, secret: null);
        await AssertErrorAsync(refresh, HttpStatusCode.BadRequest, "invalid_grant", "revoked");
    }

    [Fact]
    public async Task Revoke_OwnReferenceToken_DeletesIt()
    {
        using var client = host.CreateClient();
        var token = await GetAccessTokenAsync(client, ReferenceClientId, ReferenceClientSecret, "orders.read");

        using var response = await host.RevokeAsync(token, ReferenceClientId, ReferenceClientSecret, hint: "access_token");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"active":false}""", (await host.IntrospectAsync(token)).GetRawText());
    }

    [Theory]
    [InlineData("unknown-token", null)]
    [InlineData("a.b.c", "access_token")]
    [InlineData("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "refresh_token")]
    [InlineData("unknown-token", "some_unknown_hint")]
    public async Task Revoke_UnknownToken_Returns200(string token, string? hint)
    {
        using var response = await host.RevokeAsync(token, hint: hint);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.CacheControl());
    }

    [Fact]
    public async Task Revoke_MissingToken_ReturnsInvalidRequest()
    {
        using var client = host.CreateClient();

        using var response = await client.SendAsync(Post("token_type_hint=access_token", CodeClientId, CodeClientSecret) is var request ? WithPath(request) : null!);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request", "missing token");
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(CodeClientId, "wrong-secret")]
    [InlineData("nobody", "secret")]
    public async Task Revoke_WithoutClientAuthentication_Returns401(string? clientId, string? secret)
    {
        using var response = await host.RevokeAsync("anything", clientId, secret ?? (clientId is null ? null : string.Empty));

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client", clientId ?? "no credentials");
    }

    private static HttpRequestMessage WithPath(HttpRequestMessage request)
    {
        request.RequestUri = new Uri("/connect/revocation", UriKind.Relative);
        return request;
    }
}
