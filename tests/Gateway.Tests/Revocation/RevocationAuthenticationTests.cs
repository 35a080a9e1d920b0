using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Reference.Gateway.Tests.Infrastructure;
using Reference.ServiceDefaults.Revocation;

namespace Reference.Gateway.Tests.Revocation;

/// <summary>The authentication stage consults the denylist whatever scheme or cache produced the caller.</summary>
public sealed class RevocationAuthenticationTests(GatewayEnvironment env) : IClassFixture<GatewayEnvironment>
{
    private const string OrdersPath = "/api/orders/42";

    [Theory]
    [InlineData(RevocationKind.TokenId)]
    [InlineData(RevocationKind.Session)]
    [InlineData(RevocationKind.Subject)]
    public async Task RevokedCredential_Returns401InvalidTokenAndDownstreamSeesNothing(RevocationKind kind)
    {
        var jti = Guid.NewGuid().ToString("N");
        var sid = "sid-" + Guid.NewGuid().ToString("N");
        var sub = "user-" + Guid.NewGuid().ToString("N");
        var token = env.Idp.CreateToken(editPayload: p =>
        {
            p["jti"] = jti;
            p["sid"] = sid;
            p["sub"] = sub;
        });
        env.ClearRecordings();
        using (var before = await SendAsync(token))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        var minted = new JsonWebToken(Assert.Single(Assert.Single(env.Orders.Requests).Header("Authorization"))["Bearer ".Length..]);
        Assert.Equal(jti, minted.GetPayloadValue<string>("orig_jti"));
        Assert.Equal(sid, minted.GetPayloadValue<string>("sid"));
        env.ClearRecordings();
        var value = kind switch { RevocationKind.TokenId => jti, RevocationKind.Session => sid, _ => sub };
        var now = DateTimeOffset.UtcNow;
        env.Factory.Services.GetRequiredService<RevocationDenylist>().Add(new RevocationEntry(kind, value, now.AddMinutes(30), now.AddSeconds(1)), "pubsub");

        using var response = await SendAsync(token);

        await GatewayAssert.RejectedAsync(response, HttpStatusCode.Unauthorized, "invalid_token", env.Orders, env.Inventory);
    }

    [Fact]
    public async Task SubjectRevokedBeforeTheTokenWasIssued_TokenAccepted()
    {
        var sub = "user-" + Guid.NewGuid().ToString("N");
        var now = DateTimeOffset.UtcNow;
        env.Factory.Services.GetRequiredService<RevocationDenylist>().Add(new RevocationEntry(RevocationKind.Subject, sub, now.AddMinutes(30), now.AddMinutes(-5)), "pubsub");
        var token = env.Idp.CreateToken(editPayload: p => p["sub"] = sub);
        env.ClearRecordings();

        using var response = await SendAsync(token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(env.Orders.Requests);
    }

    private Task<HttpResponseMessage> SendAsync(string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, OrdersPath);
        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {token}");
        return env.Client.SendAsync(request);
    }
}
