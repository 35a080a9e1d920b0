using System.Globalization;
using System.Net;
using Reference.IdentityProvider.Stores.Users;
using static Reference.IdentityProvider.Tests.IdentityProviderFactory;
using static Reference.IdentityProvider.Tests.TokenRequests;
using static Reference.IdentityProvider.Tests.Validation.AuthorizationCodeGrantTests;
using static Reference.IdentityProvider.Tests.Validation.RefreshTokenGrantTests;

namespace Reference.IdentityProvider.Tests.Endpoints;

public sealed class SubjectRevocationEndpointTests(LifecycleHost host) : IClassFixture<LifecycleHost>
{
    [Fact]
    public async Task RevokeSubject_AllowedClient_WritesInstantAndPublishes()
    {
        var subject = NewUser();
        var messages = new List<string>();
        await using var subscription = await host.Redis.SubscribeAsync("reference:revocations", m => { lock (messages) { messages.Add(m.Message.ToString()); } });
        var now = host.Time.GetUtcNow().ToUnixTimeSeconds();

        using var response = await host.RevokeSubjectAsync(subject);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.CacheControl());
        Assert.Equal(now.ToString(CultureInfo.InvariantCulture), (string?)await host.Redis.GetAsync("revoked:sub:" + subject));
        var ttl = await host.Redis.GetTimeToLiveAsync("revoked:sub:" + subject);
        Assert.InRange(ttl!.Value, TimeSpan.FromDays(29), TimeSpan.FromDays(30) + TimeSpan.FromSeconds(1));
        var exp = host.Time.GetUtcNow().Add(ttl.Value).ToUnixTimeSeconds();
        await WaitUntilAsync(() => { lock (messages) { return messages.Exists(m => m.StartsWith($$"""{"type":"sub","value":"{{subject}}","exp":""", StringComparison.Ordinal) && m.EndsWith($$""","iat":{{now}}}""", StringComparison.Ordinal)); } });
        Assert.True(exp > now);
    }

    [Fact]
    public async Task RevokeSubject_TwiceInARow_Returns200BothTimes()
    {
        var subject = NewUser();

        using var first = await host.RevokeSubjectAsync(subject);
        using var second = await host.RevokeSubjectAsync(subject);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.True(await host.Redis.ExistsAsync("revoked:sub:" + subject));
    }

    [Theory]
    [InlineData(CodeClientId, CodeClientSecret, HttpStatusCode.Forbidden, "unauthorized_client")]
    [InlineData(PublicClientId, null, HttpStatusCode.Forbidden, "unauthorized_client")]
    [InlineData(TestClientId, "wrong-secret", HttpStatusCode.Unauthorized, "invalid_client")]
    public async Task RevokeSubject_ClientNotAllowed_IsRefusedAndWritesNothing(string clientId, string? secret, HttpStatusCode status, string error)
    {
        var subject = NewUser();

        using var response = await host.RevokeSubjectAsync(subject, clientId, secret);

        await AssertErrorAsync(response, status, error, clientId);
        Assert.False(await host.Redis.ExistsAsync("revoked:sub:" + subject));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public async Task RevokeSubject_MissingSubject_Returns400InvalidRequest(string? subject)
    {
        using var response = await host.RevokeSubjectAsync(subject);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request", subject ?? "absent");
    }

    [Fact]
    public async Task RevokeSubject_Get_Returns400InvalidRequest()
    {
        using var client = host.CreateClient();

        using var response = await client.GetAsync(new Uri("/connect/revocation/subject?subject=x", UriKind.Relative));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request", "GET");
    }

    [Fact]
    public async Task RevokeSubject_TokensIssuedBefore_AreInactiveAndCannotRefresh()
    {
        var subject = NewUser();
        var before = await SignInAsync(subject);
        var other = await SignInAsync(NewUser());

        using var response = await host.RevokeSubjectAsync(subject);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False((await host.IntrospectAsync(before.GetProperty("access_token").GetString()!)).GetProperty("active").GetBoolean());
        using var refresh = await host.RefreshAsync(before.GetProperty("refresh_token").GetString()!);
        await AssertErrorAsync(refresh, HttpStatusCode.BadRequest, "invalid_grant", "refresh after subject revocation");
        Assert.True((await host.IntrospectAsync(other.GetProperty("access_token").GetString()!)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task RevokeSubject_TokensIssuedAfter_StillWork()
    {
        var subject = NewUser();
        using var response = await host.RevokeSubjectAsync(subject);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        host.Time.Advance(TimeSpan.FromSeconds(2));

        var after = await SignInAsync(subject);

        Assert.True((await host.IntrospectAsync(after.GetProperty("access_token").GetString()!)).GetProperty("active").GetBoolean());
        using var refresh = await host.RefreshAsync(after.GetProperty("refresh_token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
    }

    private string NewUser()
    {
        var subject = "sub-" + Guid.NewGuid().ToString("N");
        host.Users.Replace(new User(subject, subject, "tenant-a", null, false, null, [], IsActive: true));
        return subject;
    }

    private async Task<System.Text.Json.JsonElement> SignInAsync(string subject)
    {
        using var response = await host.RedeemAsync(await host.CreateCodeAsync(subject: subject));
        var json = await ReadJsonAsync(response);
        Assert.True(response.IsSuccessStatusCode, json.ToString());
        return json;
    }
}
