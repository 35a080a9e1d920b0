using Reference.Gateway.Authentication.Jwt;
using Reference.Gateway.Tests.Infrastructure;
using Reference.TestUtilities;

namespace Reference.Gateway.Tests.Authentication.Jwt;

public sealed class JwtTokenValidatorTests : IAsyncLifetime, IDisposable
{
    private readonly StubIdentityProviderHandler _idp = new();
    private readonly FakeTimeProvider _time = new();
    private readonly JwksTestCaches _caches;
    private readonly JwtTokenValidator _validator;

    public JwtTokenValidatorTests()
    {
        _idp.AddRsaKey("key-1");
        _caches = new JwksTestCaches(_idp, _time);
        _validator = new JwtTokenValidator(_caches.Registry, _caches.Options, _time);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("None")]
    [InlineData("NONE")]
    [InlineData("HS256")]
    [InlineData("HS512")]
    [InlineData("RS1")]
    [InlineData("rs256")]
    [InlineData("ES256K")]
    public async Task Validate_AlgorithmNotAllowed_RejectedBeforeAnyKeyLookup(string alg)
    {
        var header = new Dictionary<string, object?> { ["alg"] = alg, ["typ"] = "at+jwt", ["kid"] = "never-seen" };
        var token = Jws.SigningInput(Jws.Json(header), Jws.Json(Payload(_time.GetUtcNow()))) + ".c2lnbmF0dXJl";

        var result = await _validator.ValidateAsync(token, CancellationToken.None);

        Assert.Equal(JwtValidationFailure.UnsupportedAlgorithm, result.Failure);
        Assert.Equal(1, _idp.JwksRequests);
    }

    [Fact]
    public async Task Validate_ForeignIssuerWithUnknownKid_RejectedWithoutRefresh()
    {
        var payload = Payload(_time.GetUtcNow());
        payload["iss"] = "https://evil.test";

        var result = await _validator.ValidateAsync(Sign(payload, kid: "evil-key"), CancellationToken.None);

        Assert.Equal(JwtValidationFailure.InvalidIssuer, result.Failure);
        Assert.Equal(1, _idp.JwksRequests);
    }

    // No grace on exp: an internal token may not outlive the original, so one that has (or nearly has) expired is refused.
    [Theory]
    [InlineData(0, null)]
    [InlineData(899, null)]
    [InlineData(900, "token_expired")]
    [InlineData(929, "token_expired")]
    public async Task Validate_Expiry_UsesInjectedClockWithoutGrace(int secondsLater, string? expectedReason)
    {
        var token = Sign(Payload(_time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(secondsLater));

        var result = await _validator.ValidateAsync(token, CancellationToken.None);

        Assert.Equal(expectedReason, result.Failure?.Reason);
    }

    [Theory]
    [InlineData(29, null)]
    [InlineData(31, "not_yet_valid")]
    public async Task Validate_NotBefore_ClockSkewApplies(int secondsAhead, string? expectedReason)
    {
        var payload = Payload(_time.GetUtcNow());
        payload["nbf"] = _time.GetUtcNow().AddSeconds(secondsAhead).ToUnixTimeSeconds();

        var result = await _validator.ValidateAsync(Sign(payload), CancellationToken.None);

        Assert.Equal(expectedReason, result.Failure?.Reason);
    }

    [Fact]
    public async Task Validate_ValidToken_CallerFromVerifiedClaims()
    {
        var now = _time.GetUtcNow();
        var token = Sign(Payload(now));

        var result = await _validator.ValidateAsync(token, CancellationToken.None);

        Assert.Null(result.Failure);
        var caller = result.Caller!;
        Assert.Equal("svc", caller.Subject);
        Assert.Equal("client-9", caller.ClientId);
        Assert.Equal(["orders.read", "orders.write"], caller.Scopes);
        Assert.Equal("tenant-z", caller.TenantId);
        Assert.Equal(StubIdentityProviderHandler.Issuer, caller.Issuer);
        Assert.Equal(now.AddMinutes(15).ToUnixTimeSeconds(), caller.ExpiresAt.ToUnixTimeSeconds());
        Assert.Equal(12, caller.TokenHash.Length);
        Assert.DoesNotContain(caller.TokenHash, token, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_ValidToken_FillsSchemeEmailRolesSession_AndToStringOmitsTheToken()
    {
        var payload = Payload(_time.GetUtcNow());
        payload["email"] = "svc@example.test";
        payload["roles"] = new[] { "reader", "auditor" };
        payload["sid"] = "session-7";
        var token = Sign(payload);

        var caller = (await _validator.ValidateAsync(token, CancellationToken.None)).Caller!;

        Assert.Equal("jwt", caller.Scheme);
        Assert.Equal("svc@example.test", caller.Email);
        Assert.Equal(["reader", "auditor"], caller.Roles);
        Assert.Equal("session-7", caller.SessionId);
        Assert.Equal(token, caller.AccessToken);
        Assert.DoesNotContain(token.Split('.')[2], caller.ToString(), StringComparison.Ordinal);
        Assert.Contains(caller.TokenHash, caller.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(42)]
    [InlineData(true)]
    public async Task Validate_RolesNotStrings_RejectedAsInvalidClaims(object roles)
    {
        var payload = Payload(_time.GetUtcNow());
        payload["roles"] = new[] { roles };

        var result = await _validator.ValidateAsync(Sign(payload), CancellationToken.None);

        Assert.Equal(JwtValidationFailure.InvalidClaims, result.Failure);
    }

    // Keys are loaded at startup in the gateway; a validator never waits on a first load.
    public async Task InitializeAsync() => Assert.True(await _caches.Default.RefreshAsync(CancellationToken.None));

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _caches.Dispose();
        _idp.Dispose();
    }

    private static Dictionary<string, object?> Payload(DateTimeOffset now) => new()
    {
        ["iss"] = StubIdentityProviderHandler.Issuer,
        ["sub"] = "svc",
        ["aud"] = "reference-api",
        ["client_id"] = "client-9",
        ["scope"] = "orders.read orders.write",
        ["tenant_id"] = "tenant-z",
        ["iat"] = now.ToUnixTimeSeconds(),
        ["nbf"] = now.ToUnixTimeSeconds(),
        ["exp"] = now.AddMinutes(15).ToUnixTimeSeconds(),
    };

    private static string Sign(Dictionary<string, object?> payload, string kid = "key-1")
    {
        var header = new Dictionary<string, object?> { ["alg"] = "RS256", ["typ"] = "at+jwt", ["kid"] = kid };
        return Jws.SignRsa(Jws.SigningInput(Jws.Json(header), Jws.Json(payload)), StubIdentityProviderHandler.SigningKey);
    }
}
