using System.Net;
using static Reference.IdentityProvider.Tests.IdentityProviderFactory;
using static Reference.IdentityProvider.Tests.TokenRequests;
using static Reference.IdentityProvider.Tests.Validation.AuthorizationCodeGrantTests;

namespace Reference.IdentityProvider.Tests.Validation;

public sealed class PrivateKeyJwtTests(LifecycleHost host) : IClassFixture<LifecycleHost>
{
    private const string AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    [Theory]
    [InlineData("RS256")]
    [InlineData("PS256")]
    [InlineData("ES256")]
    public async Task PrivateKeyJwt_ValidAssertion_IssuesToken(string algorithm)
    {
        var assertion = ClientAssertionKeys.Create(host.Time.GetUtcNow(), algorithm: algorithm);

        using var response = await SendAsync(assertion);
        var json = await ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("orders.read", json.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task PrivateKeyJwt_IssuerAsAudience_IsAccepted()
    {
        using var response = await SendAsync(ClientAssertionKeys.Create(host.Time.GetUtcNow(), audience: Issuer));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task PrivateKeyJwt_ReplayedJti_ReturnsInvalidClient()
    {
        var assertion = ClientAssertionKeys.Create(host.Time.GetUtcNow());
        using var first = await SendAsync(assertion);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        using var replay = await SendAsync(assertion);

        await AssertErrorAsync(replay, HttpStatusCode.Unauthorized, "invalid_client", "replayed jti");
    }

    public static TheoryData<string, Func<DateTimeOffset, string>> BadAssertions => new()
    {
        { "wrong aud", now => ClientAssertionKeys.Create(now, audience: "https://other.example/connect/token") },
        { "near-miss aud", now => ClientAssertionKeys.Create(now, audience: Issuer + "/connect/token/") },
        { "missing aud", now => ClientAssertionKeys.Create(now, audience: null) },
        { "expired", now => ClientAssertionKeys.Create(now.AddMinutes(-10)) },
        { "exp too far ahead", now => ClientAssertionKeys.Create(now, lifetime: TimeSpan.FromMinutes(30)) },
        { "no exp", now => ClientAssertionKeys.Create(now, includeExpiry: false) },
        { "no jti", now => ClientAssertionKeys.Create(now, includeJti: false) },
        { "alg none", now => ClientAssertionKeys.CreateUnsigned(now) },
        { "alg NONE", now => ClientAssertionKeys.CreateUnsigned(now, "NONE") },
        { "HS256 with the public key", now => ClientAssertionKeys.Create(now, algorithm: "HS256") },
        { "unknown kid", now => ClientAssertionKeys.Create(now, keyId: "unknown-kid") },
        { "kid of the other key", now => ClientAssertionKeys.Create(now, keyId: ClientAssertionKeys.EcKeyId) },
        { "unknown client", now => ClientAssertionKeys.Create(now, clientId: "nobody") },
        { "client without keys", now => ClientAssertionKeys.Create(now, clientId: TestClientId) },
        { "not a JWT", _ => "not-a-jwt" },
        { "tampered signature", now => ClientAssertionKeys.Create(now)[..^4] + "AAAA" },
    };

    [Theory]
    [MemberData(nameof(BadAssertions))]
    public async Task PrivateKeyJwt_BadAssertion_ReturnsInvalidClient(string reason, Func<DateTimeOffset, string> assertion)
    {
        ArgumentNullException.ThrowIfNull(assertion);

        using var response = await SendAsync(assertion(host.Time.GetUtcNow()));

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client", reason);
        Assert.Equal("Basic", response.Challenge()?.Scheme);
    }

    [Fact]
    public async Task PrivateKeyJwt_WrongAssertionType_ReturnsInvalidClient()
    {
        using var response = await SendAsync(ClientAssertionKeys.Create(host.Time.GetUtcNow()), "urn:ietf:params:oauth:client-assertion-type:saml2-bearer");

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client", "saml assertion type");
    }

    [Fact]
    public async Task PrivateKeyJwt_WithBasicAuthenticationToo_ReturnsInvalidRequest()
    {
        using var client = host.CreateClient();
        using var request = Post([P("grant_type", "client_credentials"), P("client_assertion_type", AssertionType), P("client_assertion", ClientAssertionKeys.Create(host.Time.GetUtcNow()))], TestClientId, TestClientSecret);

        using var response = await client.SendAsync(request);

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request", "two methods");
    }

    [Fact]
    public async Task PrivateKeyJwt_ClientIdDiffersFromAssertion_ReturnsInvalidClient()
    {
        using var client = host.CreateClient();
        using var request = Post([P("grant_type", "client_credentials"), P("client_id", TestClientId), P("client_assertion_type", AssertionType), P("client_assertion", ClientAssertionKeys.Create(host.Time.GetUtcNow()))]);

        using var response = await client.SendAsync(request);

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client", "client_id mismatch");
    }

    private async Task<HttpResponseMessage> SendAsync(string assertion, string assertionType = AssertionType)
    {
        using var client = host.CreateClient();
        return await client.SendAsync(Post([P("grant_type", "client_credentials"), P("client_assertion_type", assertionType), P("client_assertion", assertion)]));
    }
}
