using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Reference.Gateway.Authentication;
using Reference.Gateway.Propagation.InternalTokens;
using Reference.TestUtilities;

namespace Reference.Gateway.Tests.Propagation.InternalTokens;

public sealed class InternalTokenIssuerTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly InternalSigningKey _key = new(ECDsa.Create(ECCurve.NamedCurves.nistP256));
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    [Theory]
    [InlineData(600, 300, 300)]
    [InlineData(120, 300, 120)]
    [InlineData(600, 60, 60)]
    [InlineData(2, 300, 2)]
    public void Mint_Lifetime_IsMinOfConfiguredAndRemaining(int remainingSeconds, int configuredSeconds, int expectedSeconds)
    {
        var issuer = CreateIssuer(TimeSpan.FromSeconds(configuredSeconds));
        var now = _time.GetUtcNow();

        var token = new JsonWebToken(issuer.Mint(Caller(now.AddSeconds(remainingSeconds)), "orders-api", "req-1"));

        Assert.Equal(now.UtcDateTime, token.IssuedAt);
        Assert.Equal(now.UtcDateTime, token.ValidFrom);
        Assert.Equal(now.AddSeconds(expectedSeconds).UtcDateTime, token.ValidTo);
    }

    [Fact]
    public void Mint_Token_CarriesTheContractClaimsAndHeader()
    {
        var issuer = CreateIssuer(TimeSpan.FromMinutes(5));

        var token = new JsonWebToken(issuer.Mint(Caller(_time.GetUtcNow().AddHours(1)), "inventory-api", "req-7"));

        Assert.Equal("ES256", token.Alg);
        Assert.Equal("internal+jwt", token.Typ);
        Assert.Equal(_key.KeyId, token.Kid);
        Assert.Equal("urn:reference:gateway", token.Issuer);
        Assert.Equal(["inventory-api"], token.Audiences);
        Assert.Equal("svc-1", token.Subject);
        Assert.Equal("client-1", token.GetClaim("client_id").Value);
        Assert.Equal("a.read b.write", token.GetClaim("scope").Value);
        Assert.Equal("tenant-x", token.GetClaim("tenant_id").Value);
        Assert.Equal("https://idp.test", token.GetClaim("orig_iss").Value);
        Assert.Equal("req-7", token.GetClaim("request_id").Value);
        Assert.Equal(22, token.Id.Length);
    }

    [Fact]
    public void Mint_CallerWithoutTenant_OmitsTenantClaim()
    {
        var issuer = CreateIssuer(TimeSpan.FromMinutes(5));
        var caller = Caller(_time.GetUtcNow().AddHours(1)) with { TenantId = null };

        var token = new JsonWebToken(issuer.Mint(caller, "orders-api", "req-1"));

        Assert.False(token.TryGetClaim("tenant_id", out _));
    }

    [Fact]
    public void Mint_CallerExpiringWithinASecond_Refuses()
    {
        var issuer = CreateIssuer(TimeSpan.FromMinutes(5));

        Assert.Throws<InvalidOperationException>(() => issuer.Mint(Caller(_time.GetUtcNow().AddMilliseconds(500)), "orders-api", "req-1"));
    }

    public void Dispose()
    {
        _key.Dispose();
        _services.Dispose();
    }

    private InternalTokenIssuer CreateIssuer(TimeSpan lifetime) => new(
        InternalSigningKeyRing.Fixed(_key, _time),
        Options.Create(new InternalTokenOptions { Lifetime = lifetime }),
        _time,
        new GatewayTelemetry(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));

    private static AuthenticatedCaller Caller(DateTimeOffset expiresAt) =>
        new("svc-1", "client-1", ["a.read", "b.write"], "tenant-x", "https://idp.test", expiresAt, "abc123");
}
