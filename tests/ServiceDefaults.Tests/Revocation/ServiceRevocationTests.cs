using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Reference.ServiceDefaults.Revocation;
using Reference.TestUtilities;

namespace Reference.ServiceDefaults.Tests.Revocation;

/// <summary>A service rejects an internal token derived from a revoked one, cached or not (fake clock).</summary>
public sealed class ServiceRevocationTests : IAsyncLifetime, IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly InternalTokenTestSigner _signer = new("gateway-key-1");
    private JwksStubServer _jwks = null!;
    private ServiceHost _host = null!;

    public async Task InitializeAsync()
    {
        _jwks = await JwksStubServer.StartAsync(InternalTokenTestSigner.Jwks(_signer));
        _host = await ServiceHost.StartAsync(ServiceHost.TokenConfiguration(_jwks), _time);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _jwks.DisposeAsync();
    }

    public void Dispose() => _signer.Dispose();

    [Theory]
    [InlineData(RevocationKind.TokenId, "original-jti")]
    [InlineData(RevocationKind.Session, "sid-1")]
    [InlineData(RevocationKind.Subject, "demo-client")]
    public async Task DerivedToken_OriginalRevokedAfterItWasCached_Returns401(RevocationKind kind, string value)
    {
        var claims = InternalTokenTestSigner.DefaultClaims(_time.GetUtcNow(), ServiceHost.Audience, "orders.read");
        claims["orig_jti"] = "original-jti";
        claims["sid"] = "sid-1";
        claims["orig_iat"] = _time.GetUtcNow().AddMinutes(-1).ToUnixTimeSeconds();
        var token = _signer.CreateToken(claims);
        Assert.Equal(HttpStatusCode.OK, (await _host.Client.GetWithTokenAsync("/orders", token)).StatusCode);

        _host.App.Services.GetRequiredService<RevocationDenylist>()
            .Add(new RevocationEntry(kind, value, _time.GetUtcNow().AddMinutes(10), _time.GetUtcNow()), "pubsub");
        var response = await _host.Client.GetWithTokenAsync("/orders", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnrelatedRevocation_TokenStillAccepted()
    {
        var claims = InternalTokenTestSigner.DefaultClaims(_time.GetUtcNow(), ServiceHost.Audience, "orders.read");
        claims["orig_jti"] = "kept-jti";
        _host.App.Services.GetRequiredService<RevocationDenylist>()
            .Add(new RevocationEntry(RevocationKind.TokenId, "other-jti", _time.GetUtcNow().AddMinutes(10), _time.GetUtcNow()), "pubsub");

        var response = await _host.Client.GetWithTokenAsync("/orders", _signer.CreateToken(claims));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
