using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Reference.Gateway.Authentication;
using Reference.Gateway.Propagation.InternalTokens;
using Reference.TestUtilities;

namespace Reference.Gateway.Tests.Propagation.InternalTokens;

public sealed class InternalSigningKeyRingTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly InternalTokenOptions _options = new() { RotationInterval = TimeSpan.FromHours(1) };

    [Fact]
    public void Rotation_Due_NewKeyCurrentAndPreviousStillPublished()
    {
        var ring = CreateRing();
        var first = ring.Current.KeyId;

        _time.Advance(TimeSpan.FromHours(1));
        var second = ring.Current.KeyId;

        Assert.NotEqual(first, second);
        Assert.Equal([second, first], ring.PublishedKeyIds);
        Assert.Equal([second, first], JwksKeyIds(ring));
    }

    [Fact]
    public void Rotation_PreviousKey_RetiredOnlyAfterItsTokensExpired()
    {
        var ring = CreateRing();
        var first = ring.Current.KeyId;
        _time.Advance(TimeSpan.FromHours(1));
        var second = ring.Current.KeyId;

        _time.Advance(_options.Lifetime + InternalSigningKeyRing.VerificationSkew - TimeSpan.FromSeconds(1));
        Assert.Contains(first, JwksKeyIds(ring));
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal([second], JwksKeyIds(ring));
    }

    [Fact]
    public async Task Rotation_TokensMintedAcrossIt_AllVerifyAgainstThePublishedJwks()
    {
        var ring = CreateRing();
        var issuer = new InternalTokenIssuer(ring, Options.Create(_options), _time, new GatewayTelemetry(_services.GetRequiredService<IMeterFactory>()));
        var caller = new AuthenticatedCaller("user-1", "client-1", ["orders.read"], "tenant-a", "https://idp.test", _time.GetUtcNow().AddHours(3), "hash");
        var tokens = new List<string>();
        for (var minute = 0; minute < 150; minute += 4)
        {
            tokens.Add(issuer.Mint(caller, "orders-api", "req"));
            // The token is verified later, near its expiry, against the JWKS published then (after any rotation).
            _time.Advance(TimeSpan.FromMinutes(4));
            var keys = new JsonWebKeySet(System.Text.Encoding.UTF8.GetString(ring.JwksDocument.Span)).GetSigningKeys();
            var result = await new JsonWebTokenHandler().ValidateTokenAsync(tokens[^1], new TokenValidationParameters
            {
                ValidIssuer = "urn:reference:gateway",
                ValidAudience = "orders-api",
                IssuerSigningKeys = keys,
                ValidTypes = ["internal+jwt"],
                LifetimeValidator = (_, _, _, _) => true,
            });
            Assert.True(result.IsValid, result.Exception?.Message);
        }

        Assert.True(tokens.Select(t => new JsonWebToken(t).Kid).Distinct().Count() >= 2);
    }

    [Fact]
    public void Fixed_NeverRotates()
    {
        using var key = NewKey();
        var ring = InternalSigningKeyRing.Fixed(key, _time);

        _time.Advance(TimeSpan.FromDays(30));

        Assert.Equal(key.KeyId, ring.Current.KeyId);
    }

    public void Dispose() => _services.Dispose();

    private InternalSigningKeyRing CreateRing() => new(NewKey(), NewKey, _options, _time);

    private static InternalSigningKey NewKey() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    private static string[] JwksKeyIds(InternalSigningKeyRing ring)
    {
        using var document = JsonDocument.Parse(ring.JwksDocument);
        return [.. document.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!)];
    }
}
