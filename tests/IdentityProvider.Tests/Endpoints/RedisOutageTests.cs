using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Reference.Redis;
using Reference.TestUtilities.Redis;
using static Reference.IdentityProvider.Tests.IdentityProviderFactory;
using static Reference.IdentityProvider.Tests.TokenRequests;
using static Reference.IdentityProvider.Tests.Validation.AuthorizationCodeGrantTests;

namespace Reference.IdentityProvider.Tests.Endpoints;

/// <summary>Redis down: what needs it answers 503 temporarily_unavailable (never 500, never an unrecorded token);
/// client_credentials with JWTs, discovery and JWKS keep working.</summary>
public sealed class RedisOutageTests : IAsyncLifetime
{
    private RedisTestServer _redis = null!;
    private string _code = string.Empty;
    private string _refreshToken = string.Empty;

    public async Task InitializeAsync() =>
        _redis = await RedisTestServer.StartNewAsync(RedisTestServer.UnavailableReason(ServerKind.Redis) is null ? ServerKind.Redis : ServerKind.Garnet);

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task RedisDown_GrantsNeedingRedis_Return503TemporarilyUnavailable()
    {
        using var host = await StartThenKillRedisAsync();
        using var client = host.CreateClient();

        using var code = await host.RedeemAsync(_code);
        await AssertErrorAsync(code, HttpStatusCode.ServiceUnavailable, "temporarily_unavailable", "authorization_code");

        using var refresh = await host.RefreshAsync(_refreshToken);
        await AssertErrorAsync(refresh, HttpStatusCode.ServiceUnavailable, "temporarily_unavailable", "refresh_token");

        using var reference = await client.SendAsync(Post([P("grant_type", "client_credentials")], ReferenceClientId, ReferenceClientSecret));
        await AssertErrorAsync(reference, HttpStatusCode.ServiceUnavailable, "temporarily_unavailable", "reference token");

        using var assertion = await client.SendAsync(Post([P("grant_type", "client_credentials"), P("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), P("client_assertion", ClientAssertionKeys.Create(host.Time.GetUtcNow()))]));
        await AssertErrorAsync(assertion, HttpStatusCode.ServiceUnavailable, "temporarily_unavailable", "private_key_jwt");

        using var introspection = await host.SendIntrospectionAsync("some-token");
        await AssertErrorAsync(introspection, HttpStatusCode.ServiceUnavailable, "temporarily_unavailable", "introspection");

        using var revocation = await host.RevokeAsync("some-token");
        await AssertErrorAsync(revocation, HttpStatusCode.ServiceUnavailable, "temporarily_unavailable", "revocation");

        using var subjectRevocation = await host.RevokeSubjectAsync("some-subject");
        await AssertErrorAsync(subjectRevocation, HttpStatusCode.ServiceUnavailable, "temporarily_unavailable", "subject revocation");
    }

    [Fact]
    public async Task RedisDown_ClientCredentialsJwtDiscoveryAndJwks_KeepWorking()
    {
        using var host = await StartThenKillRedisAsync();
        using var client = host.CreateClient();

        var token = await GetAccessTokenAsync(client, TestClientId, TestClientSecret, "orders.read");

        Assert.Equal(3, token.Split('.').Length);
        using var discovery = await client.GetAsync(DiscoveryPath);
        Assert.Equal(HttpStatusCode.OK, discovery.StatusCode);
        using var jwks = await client.GetAsync(JwksPath);
        Assert.Equal(HttpStatusCode.OK, jwks.StatusCode);
    }

    private async Task<LifecycleHost> StartThenKillRedisAsync()
    {
        // The Redis client times its commands with the DI TimeProvider; the fake clock would never let one time out.
        var connectionString = _redis.ConnectionString + ",asyncTimeout=3000";
        var settings = DefaultSettings();
        settings["ConnectionStrings:cache"] = connectionString;
        var host = new LifecycleHost(Create(settings), services => services.AddSingleton(_ => new RedisClient(RedisConnectionOptions.Parse(connectionString), null, TimeProvider.System)));
        _code = await host.CreateCodeAsync();
        _refreshToken = (await host.SignInAsync()).GetProperty("refresh_token").GetString()!;
        await _redis.KillAsync();
        return host;
    }
}
