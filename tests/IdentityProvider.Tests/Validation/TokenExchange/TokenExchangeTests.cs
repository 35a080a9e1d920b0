using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Reference.Redis;
using static Reference.IdentityProvider.Tests.IdentityProviderFactory;
using static Reference.IdentityProvider.Tests.TokenRequests;
using static Reference.IdentityProvider.Tests.Validation.TokenExchange.TokenExchangeTestTokens;

namespace Reference.IdentityProvider.Tests.Validation.TokenExchange;

/// <summary>RFC 8693 token exchange through the token endpoint.</summary>
public sealed class TokenExchangeTests(IdentityProviderFactory factory) : IClassFixture<IdentityProviderFactory>
{
    private const string InvalidSubjectDescription = "The subject_token is not a valid, active access token issued by this server.";

    [Fact]
    public async Task Delegation_UserToken_IssuesTokenForTheAudienceWithClientAsActor()
    {
        var client = factory.CreateClient();
        var subject = await SignAsync(factory, UserClaims());

        var (response, json) = await ExchangeAsync(client, ExchangeClientId, ExchangeClientSecret, Form(subject));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal(AccessTokenType, json.GetProperty("issued_token_type").GetString());
        Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
        Assert.Equal("orders.read orders.write", json.GetProperty("scope").GetString());
        Assert.Equal(300, json.GetProperty("expires_in").GetInt64());
        Assert.False(json.TryGetProperty("refresh_token", out _));

        var accessToken = json.GetProperty("access_token").GetString()!;
        var result = await ValidateAsync(client, accessToken, "orders-api", factory.Time);
        Assert.True(result.IsValid, result.Exception?.Message);
        var token = (JsonWebToken)result.SecurityToken;
        Assert.Equal(["orders-api"], token.Audiences);
        Assert.Equal(UserId, token.Subject);
        Assert.Equal(ExchangeClientId, token.GetClaim("client_id").Value);

        var payload = Payload(accessToken);
        Assert.Equal("tenant-a", payload.GetProperty("tenant_id").GetString());
        Assert.Equal("alice@example.com", payload.GetProperty("email").GetString());
        Assert.Equal(["admin", "clerk"], payload.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        var act = payload.GetProperty("act");
        Assert.Equal(ExchangeClientId, act.GetProperty("sub").GetString());
        Assert.Equal(ExchangeClientId, act.GetProperty("client_id").GetString());
        Assert.False(act.TryGetProperty("act", out _));
    }

    [Fact]
    public async Task Delegation_TwoHops_NestsThePreviousActorInsideTheNewOne()
    {
        var client = factory.CreateClient();
        var subject = await SignAsync(factory, UserClaims());
        var (_, first) = await ExchangeAsync(client, ExchangeClientId, ExchangeClientSecret, Form(subject, "inventory-api"));

        var (response, second) = await ExchangeAsync(client, "orders-service", OrdersServiceSecret, Form(first.GetProperty("access_token").GetString()!, "inventory-api"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var payload = Payload(second.GetProperty("access_token").GetString()!);
        Assert.Equal(UserId, payload.GetProperty("sub").GetString());
        Assert.Equal("orders-service", payload.GetProperty("client_id").GetString());
        var act = payload.GetProperty("act");
        Assert.Equal("orders-service", act.GetProperty("sub").GetString());
        Assert.Equal(ExchangeClientId, act.GetProperty("act").GetProperty("sub").GetString());
        Assert.False(act.GetProperty("act").TryGetProperty("act", out _));
    }

    [Fact]
    public async Task Delegation_SubjectTokenCarriesAnAct_ItIsOnlyNestedNeverTheCurrentActor()
    {
        var claims = UserClaims();
        claims["act"] = new Dictionary<string, object> { ["sub"] = "admin-console", ["client_id"] = "admin-console" };
        var subject = await SignAsync(factory, claims);

        var (response, json) = await ExchangeAsync(factory.CreateClient(), ExchangeClientId, ExchangeClientSecret, Form(subject));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var act = Payload(json.GetProperty("access_token").GetString()!).GetProperty("act");
        Assert.Equal(ExchangeClientId, act.GetProperty("sub").GetString());
        Assert.Equal("admin-console", act.GetProperty("act").GetProperty("sub").GetString());
    }

    [Fact]
    public async Task Delegation_ActCarriedAsRequestParameter_IsIgnored()
    {
        var subject = await SignAsync(factory, UserClaims());

        var (response, json) = await ExchangeAsync(factory.CreateClient(), ExchangeClientId, ExchangeClientSecret, Form(subject, "orders-api", P("act", "{\"sub\":\"root\"}")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var act = Payload(json.GetProperty("access_token").GetString()!).GetProperty("act");
        Assert.Equal(ExchangeClientId, act.GetProperty("sub").GetString());
    }

    [Fact]
    public async Task Delegation_WithActorToken_ActorIsTheActorTokensSubjectAndClient()
    {
        var client = factory.CreateClient();
        var subject = await SignAsync(factory, UserClaims());
        var actorToken = await GetAccessTokenAsync(client, TestClientId, TestClientSecret, "orders.read");

        var (response, json) = await ExchangeAsync(client, ExchangeClientId, ExchangeClientSecret, Form(subject, "orders-api", P("actor_token", actorToken), P("actor_token_type", AccessTokenType)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var act = Payload(json.GetProperty("access_token").GetString()!).GetProperty("act");
        Assert.Equal(TestClientId, act.GetProperty("sub").GetString());
        Assert.Equal(TestClientId, act.GetProperty("client_id").GetString());
    }

    [Fact]
    public async Task Impersonation_AllowedClientWithoutActorToken_IssuesTokenWithoutAct()
    {
        var subject = await SignAsync(factory, UserClaims());

        var (response, json) = await ExchangeAsync(factory.CreateClient(), ImpersonatorClientId, ImpersonatorClientSecret, Form(subject));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var payload = Payload(json.GetProperty("access_token").GetString()!);
        Assert.False(payload.TryGetProperty("act", out _));
        Assert.Equal(UserId, payload.GetProperty("sub").GetString());
        Assert.Equal("orders.read", json.GetProperty("scope").GetString());
        Assert.Equal(120, json.GetProperty("expires_in").GetInt64());
    }

    [Fact]
    public async Task Impersonation_AllowedClientWithActorToken_StillDelegates()
    {
        var client = factory.CreateClient();
        var subject = await SignAsync(factory, UserClaims());
        var actorToken = await GetAccessTokenAsync(client, TestClientId, TestClientSecret, "orders.read");

        var (response, json) = await ExchangeAsync(client, ImpersonatorClientId, ImpersonatorClientSecret, Form(subject, "orders-api", P("actor_token", actorToken), P("actor_token_type", JwtTokenType)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TestClientId, Payload(json.GetProperty("access_token").GetString()!).GetProperty("act").GetProperty("sub").GetString());
    }

    [Fact]
    public async Task Impersonation_SubjectOfATenantTheClientMayNotServe_ReturnsInvalidRequest()
    {
        var claims = UserClaims();
        claims["tenant_id"] = "tenant-b";
        var subject = await SignAsync(factory, claims);

        var (response, json) = await ExchangeAsync(factory.CreateClient(), ImpersonatorClientId, ImpersonatorClientSecret, Form(subject));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Delegation_ChainAtMaximumDepth_ReturnsInvalidRequest()
    {
        var claims = UserClaims();
        Dictionary<string, object>? act = null;
        for (var i = 0; i < 5; i++)
        {
            var next = new Dictionary<string, object> { ["sub"] = $"service-{i}" };
            if (act is not null)
            {
                next["act"] = act;
            }

            act = next;
        }

        claims["act"] = act!;
        var subject = await SignAsync(factory, claims);

        var (response, json) = await ExchangeAsync(factory.CreateClient(), ExchangeClientId, ExchangeClientSecret, Form(subject));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Exchange_Rejection_IsLoggedAsSecurityEventWithoutTheToken()
    {
        var subject = await SignAsync(factory, UserClaims(), issuer: "https://evil.example.com");

        await ExchangeAsync(factory.CreateClient(), ExchangeClientId, ExchangeClientSecret, Form(subject));

        var line = Assert.Single(factory.Logs.Lines, l => l.StartsWith("Reference.IdentityProvider.Security [9005]", StringComparison.Ordinal) && l.Contains(SecurityEventLog.Fingerprint(subject), StringComparison.Ordinal));
        Assert.DoesNotContain(new JsonWebToken(subject).EncodedSignature, line, StringComparison.Ordinal);
        Assert.DoesNotContain(factory.Logs.Lines, l => l.Contains(new JsonWebToken(subject).EncodedSignature, StringComparison.Ordinal));
    }

    public static TheoryData<string> ForeignSubjects => ["other-key", "other-issuer", "expired", "not-yet-valid", "id-token", "malformed", "unsigned", "revoked", "no-jti"];

    [Theory]
    [MemberData(nameof(ForeignSubjects))]
    public async Task Exchange_SubjectTokenNotOursOrNotActive_ReturnsInvalidRequest(string kind)
    {
        var claims = UserClaims();
        string subject;
        switch (kind)
        {
            case "other-key":
                using (var rsa = RSA.Create(2048))
                {
                    subject = await SignAsync(factory, claims, credentials: new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = "attacker" }, SecurityAlgorithms.RsaSha256));
                }

                break;
            case "other-issuer":
                subject = await SignAsync(factory, claims, issuer: "https://evil.example.com");
                break;
            case "expired":
                subject = await SignAsync(factory, claims, TimeSpan.FromMinutes(5));
                factory.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
                break;
            case "not-yet-valid":
                subject = await SignAsync(factory, claims, notBefore: TimeSpan.FromMinutes(2));
                break;
            case "id-token":
                claims["aud"] = "web-app";
                subject = await SignAsync(factory, claims, type: "JWT");
                break;
            case "malformed":
                subject = "not.a.jwt";
                break;
            case "unsigned":
                subject = new JsonWebTokenHandler().CreateToken(JsonSerializer.Serialize(new { iss = Issuer, sub = UserId, scope = "orders.read", jti = "x", exp = factory.Time.GetUtcNow().AddHours(1).ToUnixTimeSeconds() }));
                break;
            case "revoked":
                subject = await SignAsync(factory, claims);
                await factory.Services.GetRequiredService<RedisClient>().SetAsync($"revoked:jti:{claims["jti"]}", "1", TimeSpan.FromHours(1));
                break;
            case "no-jti":
                claims.Remove("jti");
                subject = await SignAsync(factory, claims);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }

        var (response, json) = await ExchangeAsync(factory.CreateClient(), ExchangeClientId, ExchangeClientSecret, Form(subject));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", json.GetProperty("error").GetString());
        Assert.Equal(InvalidSubjectDescription, json.GetProperty("error_description").GetString());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Exchange_ActorTokenNotOurs_ReturnsInvalidRequest()
    {
        var subject = await SignAsync(factory, UserClaims());
        var actor = await SignAsync(factory, UserClaims(), issuer: "https://evil.example.com");

        var (response, json) = await ExchangeAsync(factory.CreateClient(), ExchangeClientId, ExchangeClientSecret, Form(subject, "orders-api", P("actor_token", actor), P("actor_token_type", AccessTokenType)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", json.GetProperty("error").GetString());
    }

    public static TheoryData<string, string> BadParameters => new()
    {
        { "missing-subject-token-type", "invalid_request" },
        { "missing-subject-token", "invalid_request" },
        { "unsupported-subject-token-type", "invalid_request" },
        { "actor-token-without-type", "invalid_request" },
        { "actor-type-without-token", "invalid_request" },
        { "unsupported-actor-token-type", "invalid_request" },
        { "unsupported-requested-token-type", "invalid_request" },
        { "no-target", "invalid_request" },
        { "relative-resource", "invalid_request" },
        { "repeated-audience", "invalid_request" },
        { "audience-not-in-policy", "invalid_target" },
        { "unknown-audience", "invalid_target" },
        { "unknown-resource", "invalid_target" },
        { "scope-not-in-subject", "invalid_scope" },
        { "scope-of-other-audience", "invalid_scope" },
        { "malformed-scope", "invalid_scope" },
    };

    [Theory]
    [MemberData(nameof(BadParameters))]
    public async Task Exchange_BadParameters_ReturnsTheRfc8693Error(string kind, string error)
    {
        var subject = await SignAsync(factory, UserClaims("orders.read inventory.read"));
        var actor = await GetAccessTokenAsync(factory.CreateClient(), TestClientId, TestClientSecret, "orders.read");
        var form = kind switch
        {
            "missing-subject-token-type" => [P("grant_type", GrantType), P("subject_token", subject), P("audience", "orders-api")],
            "missing-subject-token" => [P("grant_type", GrantType), P("subject_token_type", AccessTokenType), P("audience", "orders-api")],
            "unsupported-subject-token-type" => [P("grant_type", GrantType), P("subject_token", subject), P("subject_token_type", "urn:ietf:params:oauth:token-type:id_token"), P("audience", "orders-api")],
            "actor-token-without-type" => Form(subject, "orders-api", P("actor_token", actor)),
            "actor-type-without-token" => Form(subject, "orders-api", P("actor_token_type", AccessTokenType)),
            "unsupported-actor-token-type" => Form(subject, "orders-api", P("actor_token", actor), P("actor_token_type", "urn:ietf:params:oauth:token-type:saml2")),
            "unsupported-requested-token-type" => Form(subject, "orders-api", P("requested_token_type", "urn:ietf:params:oauth:token-type:refresh_token")),
            "no-target" => Form(subject, audience: null),
            "relative-resource" => Form(subject, audience: null, P("resource", "/inventory")),
            "repeated-audience" => Form(subject, "orders-api", P("audience", "inventory-api")),
            "audience-not-in-policy" => Form(subject, "reference-api"),
            "unknown-audience" => Form(subject, "payments-api"),
            "unknown-resource" => Form(subject, audience: null, P("resource", "https://payments.example.com/")),
            "scope-not-in-subject" => Form(subject, "orders-api", P("scope", "orders.write")),
            "scope-of-other-audience" => Form(subject, "orders-api", P("scope", "orders.read inventory.read")),
            "malformed-scope" => Form(subject, "orders-api", P("scope", "orders.read  ")),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        var (response, json) = await ExchangeAsync(factory.CreateClient(), ExchangeClientId, ExchangeClientSecret, form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, json.GetProperty("error").GetString());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Exchange_SubjectHasNoScopeOfTheAudience_ReturnsInvalidScope()
    {
        var subject = await SignAsync(factory, UserClaims("inventory.read"));

        var (response, json) = await ExchangeAsync(factory.CreateClient(), ExchangeClientId, ExchangeClientSecret, Form(subject));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_scope", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Exchange_NarrowerScope_IsGranted()
    {
        var subject = await SignAsync(factory, UserClaims());

        var (response, json) = await ExchangeAsync(factory.CreateClient(), ExchangeClientId, ExchangeClientSecret, Form(subject, "orders-api", P("scope", "orders.read")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("orders.read", json.GetProperty("scope").GetString());
        Assert.Equal("orders.read", Payload(json.GetProperty("access_token").GetString()!).GetProperty("scope").GetString());
    }

    [Fact]
    public async Task Exchange_ResourceUri_MapsToTheApiResource()
    {
        var subject = await SignAsync(factory, UserClaims());

        var (response, json) = await ExchangeAsync(factory.CreateClient(), ExchangeClientId, ExchangeClientSecret, Form(subject, audience: null, P("resource", InventoryResourceUri)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("inventory.read", json.GetProperty("scope").GetString());
        Assert.Equal(["inventory-api"], Payload(json.GetProperty("access_token").GetString()!).GetProperty("aud").EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public async Task Exchange_MayActNamesAnotherParty_ReturnsInvalidRequest()
    {
        var claims = UserClaims();
        claims["may_act"] = new Dictionary<string, object> { ["sub"] = "orders-service" };
        var subject = await SignAsync(factory, claims);

        var (response, json) = await ExchangeAsync(factory.CreateClient(), ExchangeClientId, ExchangeClientSecret, Form(subject));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", json.GetProperty("error").GetString());
        Assert.Contains("may_act", json.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exchange_MayActNamesTheClient_IsGranted()
    {
        var claims = UserClaims();
        claims["may_act"] = new Dictionary<string, object> { ["sub"] = ExchangeClientId, ["client_id"] = ExchangeClientId };
        var subject = await SignAsync(factory, claims);

        var (response, _) = await ExchangeAsync(factory.CreateClient(), ExchangeClientId, ExchangeClientSecret, Form(subject));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Exchange_SubjectExpiresSoon_LifetimeIsCappedBySubjectExp()
    {
        var subject = await SignAsync(factory, UserClaims(), TimeSpan.FromSeconds(90));

        var (response, json) = await ExchangeAsync(factory.CreateClient(), ExchangeClientId, ExchangeClientSecret, Form(subject));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(90, json.GetProperty("expires_in").GetInt64());
        Assert.Equal(new JsonWebToken(subject).ValidTo, new JsonWebToken(json.GetProperty("access_token").GetString()!).ValidTo);
    }

    [Fact]
    public async Task Exchange_RequestedJwt_ReportsJwtIssuedTokenType()
    {
        var subject = await SignAsync(factory, UserClaims());

        var (response, json) = await ExchangeAsync(factory.CreateClient(), ExchangeClientId, ExchangeClientSecret, Form(subject, "orders-api", P("requested_token_type", JwtTokenType)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(JwtTokenType, json.GetProperty("issued_token_type").GetString());
        Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
    }

    [Fact]
    public async Task Exchange_ClientWithoutTheGrant_ReturnsUnauthorizedClient()
    {
        var subject = await SignAsync(factory, UserClaims());

        var (response, json) = await ExchangeAsync(factory.CreateClient(), TestClientId, TestClientSecret, Form(subject));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("unauthorized_client", json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task ClientCredentials_Response_HasNoIssuedTokenType()
    {
        using var response = await factory.CreateClient().SendAsync(Post([P("grant_type", "client_credentials")], ExchangeClientId, ExchangeClientSecret));
        var json = await ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(json.TryGetProperty("issued_token_type", out _));
    }

    [Fact]
    public async Task Exchange_Metrics_CountIssuedTokensByGrantAndErrorsByCode()
    {
        var measurements = new System.Collections.Concurrent.ConcurrentQueue<(string Instrument, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == IdentityProviderTelemetry.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
        {
            var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            measurements.Enqueue((instrument.Name, copy));
        });
        listener.Start();
        var client = factory.CreateClient();
        var subject = await SignAsync(factory, UserClaims());

        await ExchangeAsync(client, ExchangeClientId, ExchangeClientSecret, Form(subject));
        await ExchangeAsync(client, ExchangeClientId, ExchangeClientSecret, Form(subject, "reference-api"));

        Assert.Contains(measurements, m => m.Instrument == "idp.tokens.issued" && Equals(m.Tags["oauth.grant_type"], GrantType) && Equals(m.Tags["oauth.client_id"], ExchangeClientId));
        Assert.Contains(measurements, m => m.Instrument == "idp.token.errors" && Equals(m.Tags["oauth.error"], "invalid_target") && Equals(m.Tags["oauth.grant_type"], GrantType));
    }

    [Fact]
    public async Task Interop_ExchangedToken_ValidatesWithConfigurationManagerAndJsonWebTokenHandler()
    {
        var client = factory.CreateClient();
        var subject = await SignAsync(factory, UserClaims());
        var (_, json) = await ExchangeAsync(client, ExchangeClientId, ExchangeClientSecret, Form(subject));
        var configurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
            Issuer + DiscoveryPath,
            new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever(client) { RequireHttps = false });

        var parameters = new TokenValidationParameters
        {
            ConfigurationManager = configurationManager,
            ValidAudience = "orders-api",
            ValidTypes = ["at+jwt"],
            ValidAlgorithms = ["RS256"],
            LifetimeValidator = (notBefore, expires, _, _) => notBefore <= factory.Time.GetUtcNow().UtcDateTime && factory.Time.GetUtcNow().UtcDateTime < expires,
        };
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(json.GetProperty("access_token").GetString()!, parameters);

        Assert.True(result.IsValid, result.Exception?.ToString());
        Assert.Equal(Issuer, result.Issuer);
        Assert.Equal(UserId, ((JsonWebToken)result.SecurityToken).Subject);
    }
}
