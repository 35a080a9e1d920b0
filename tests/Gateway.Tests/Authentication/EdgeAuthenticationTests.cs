using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Reference.Gateway.Tests.Infrastructure;

namespace Reference.Gateway.Tests.Authentication;

/// <summary>The gateway's public edge against a fake IdP and recording downstream stubs.</summary>
public sealed class EdgeAuthenticationTests(GatewayEnvironment env) : IClassFixture<GatewayEnvironment>
{
    private const string OrdersPath = "/api/orders/42";

    private const string Malformed = "The token is not a well-formed signed JWT.";
    private const string BadAlg = "The token's signing algorithm is not accepted.";
    private const string KeyMismatch = "The token's signing key does not match its algorithm.";
    private const string ForbiddenHeader = "The token header contains a parameter that is not accepted.";
    private const string Duplicate = "The token contains a duplicate JSON member.";
    private const string BadSignature = "The token signature is invalid.";
    private const string Expired = "The token has expired.";
    private const string BadIssuer = "The token issuer is not accepted.";
    private const string NotYetValid = "The token is not yet valid.";
    private const string Nested = "Nested or encrypted tokens are not accepted.";
    private const string TooLong = "The token is too long.";
    private const string UnknownKey = "The token's signing key is unknown.";
    private const string BadAudience = "The token audience is not accepted.";
    private const string NoExp = "The token has no expiration time.";
    private const string BadKid = "The token header has no valid key identifier.";
    private const string NoSub = "The token has no subject.";
    private const string BadClaim = "The token contains an invalid claim.";
    private const string BadType = "The token type is not at+jwt.";

    public static TheoryData<string, string> InvalidTokens => new()
    {
        { "alg-none", Malformed },
        { "alg-None", Malformed },
        { "alg-NONE", Malformed },
        { "alg-nOnE", Malformed },
        { "alg-none-with-signature", BadAlg },
        { "alg-hs256-with-rsa-public-key", BadAlg },
        { "alg-rs256-on-ec-key", KeyMismatch },
        { "tampered-payload", BadSignature },
        { "tampered-signature", BadSignature },
        { "expired", Expired },
        { "nbf-in-future", NotYetValid },
        { "iat-in-future", NotYetValid },
        { "missing-exp", NoExp },
        { "wrong-audience", BadAudience },
        { "missing-audience", BadAudience },
        { "audience-trailing-slash", BadAudience },
        { "audience-as-different-case", BadAudience },
        { "issuer-trailing-slash", BadIssuer },
        { "issuer-different-case", BadIssuer },
        { "foreign-issuer", BadIssuer },
        { "missing-issuer", BadIssuer },
        { "typ-jwt", BadType },
        { "typ-missing-id-token-like", BadType },
        { "typ-internal-jwt", BadType },
        { "unknown-kid", UnknownKey },
        { "kid-traversal", UnknownKey },
        { "kid-oversize", TooLong },
        { "kid-long", BadKid },
        { "missing-kid", BadKid },
        { "jku-elsewhere", ForbiddenHeader },
        { "x5u-elsewhere", ForbiddenHeader },
        { "jwk-embedded", ForbiddenHeader },
        { "x5c-embedded", ForbiddenHeader },
        { "crit", ForbiddenHeader },
        { "b64-false", ForbiddenHeader },
        { "jwe-five-segments", Malformed },
        { "nested-cty-jwt", Nested },
        { "extra-trailing-dot", Malformed },
        { "extra-middle-dot", Malformed },
        { "two-segments", Malformed },
        { "whitespace-inside", Malformed },
        { "tab-inside", Malformed },
        { "nul-inside", Malformed },
        { "bad-base64", Malformed },
        { "padded-base64", Malformed },
        { "oversize-token", TooLong },
        { "duplicate-header-key", Duplicate },
        { "duplicate-header-key-escaped", Duplicate },
        { "duplicate-payload-key", Duplicate },
        { "header-not-object", Malformed },
        { "missing-sub", NoSub },
        { "scope-not-string", BadClaim },
        { "exp-string", BadClaim },
        { "invalid-utf8-in-sub", Malformed },
        { "nbf-string", BadClaim },
        { "iat-string", BadClaim },
        { "ecdsa-zero-signature", BadSignature },
        { "ecdsa-r-s-equal-order", BadSignature },
        { "ecdsa-der-signature", BadSignature },
        { "empty-signature", Malformed },
    };

    [Theory]
    [InlineData("RS256")]
    [InlineData("ES256")]
    public async Task ValidToken_Forwarded_DownstreamGetsInternalTokenNotOriginal(string alg)
    {
        env.ClearRecordings();
        var original = env.Idp.CreateToken(alg: alg);

        using var response = await SendAsync(HttpMethod.Get, OrdersPath, original);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(env.Orders.Requests);
        Assert.Equal("/orders/42", received.Path);
        var authorization = Assert.Single(received.Header("Authorization"));
        Assert.StartsWith("Bearer ", authorization, StringComparison.Ordinal);
        var internalToken = authorization["Bearer ".Length..];
        Assert.NotEqual(original, internalToken);
        Assert.DoesNotContain(received.Headers.Values.SelectMany(v => v), value => value.Contains(original, StringComparison.Ordinal));

        var validated = await ValidateInternalTokenAsync(internalToken, "orders-api");
        Assert.True(validated.IsValid, validated.Exception?.Message);
        var jwt = (JsonWebToken)validated.SecurityToken;
        Assert.Equal("internal+jwt", jwt.Typ);
        Assert.Equal("ES256", jwt.Alg);
        Assert.Equal("urn:reference:gateway", jwt.Issuer);
        Assert.Equal(["orders-api"], jwt.Audiences);
        Assert.Equal("demo-client", jwt.Subject);
        Assert.Equal("demo-client", jwt.GetClaim("client_id").Value);
        Assert.Equal("orders.read", jwt.GetClaim("scope").Value);
        Assert.Equal("tenant-a", jwt.GetClaim("tenant_id").Value);
        Assert.Equal(env.Idp.Issuer, jwt.GetClaim("orig_iss").Value);
        Assert.False(string.IsNullOrEmpty(jwt.GetClaim("request_id").Value));
        Assert.False(string.IsNullOrEmpty(jwt.Id));
        Assert.True(jwt.ValidTo - jwt.IssuedAt <= TimeSpan.FromMinutes(5));
        var originalExp = new JsonWebToken(original).ValidTo;
        Assert.True(jwt.ValidTo <= originalExp);
    }

    [Fact]
    public async Task ValidToken_ShortRemainingLifetime_InternalTokenExpiresNoLaterThanOriginal()
    {
        env.ClearRecordings();
        var original = env.Idp.CreateToken(editPayload: p => p["exp"] = DateTimeOffset.UtcNow.AddSeconds(90).ToUnixTimeSeconds());

        using var response = await SendAsync(HttpMethod.Get, OrdersPath, original);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var internalToken = new JsonWebToken(Assert.Single(Assert.Single(env.Orders.Requests).Header("Authorization"))["Bearer ".Length..]);
        Assert.True(internalToken.ValidTo <= new JsonWebToken(original).ValidTo);
        Assert.True(internalToken.ValidTo - internalToken.IssuedAt <= TimeSpan.FromSeconds(90));
    }

    [Fact]
    public async Task InternalTokenReplayedAtTheEdge_Returns401InvalidToken()
    {
        env.ClearRecordings();
        using (var first = await SendAsync(HttpMethod.Get, OrdersPath, env.Idp.CreateToken()))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var internalToken = Assert.Single(Assert.Single(env.Orders.Requests).Header("Authorization"))["Bearer ".Length..];
        env.ClearRecordings();

        using var response = await SendAsync(HttpMethod.Get, OrdersPath, internalToken);

        await AssertRejectedAsync(response, HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task NoToken_Returns401BareChallenge_DownstreamGetsNothing()
    {
        env.ClearRecordings();

        using var response = await SendAsync(HttpMethod.Get, OrdersPath, token: null);

        await AssertRejectedAsync(response, HttpStatusCode.Unauthorized, "missing_token");
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    [Theory]
    [InlineData("Basic ZGVtbzpzZWNyZXQ=")]
    [InlineData("Digest username=\"x\"")]
    [InlineData("Bearerxyz")]
    public async Task NonBearerScheme_Returns401BareChallenge(string authorization)
    {
        env.ClearRecordings();
        using var request = new HttpRequestMessage(HttpMethod.Get, OrdersPath);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        using var response = await env.Client.SendAsync(request);

        await AssertRejectedAsync(response, HttpStatusCode.Unauthorized, "missing_token");
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    [Theory]
    [MemberData(nameof(InvalidTokens))]
    public async Task InvalidToken_Returns401InvalidToken_DownstreamGetsNothing(string attack, string expectedDescription)
    {
        env.ClearRecordings();
        var token = BuildAttack(attack);

        using var response = await SendAsync(HttpMethod.Get, OrdersPath, token);

        await AssertRejectedAsync(response, HttpStatusCode.Unauthorized, "invalid_token");
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Equal(0, env.Idp.AttackerRequests);
        Assert.Equal($"error=\"invalid_token\", error_description=\"{expectedDescription}\"", challenge.Parameter);
    }

    [Fact]
    public async Task TokenInQueryString_Returns400InvalidRequest()
    {
        env.ClearRecordings();
        var token = env.Idp.CreateToken();

        using var response = await SendAsync(HttpMethod.Get, $"{OrdersPath}?access_token={token}", token: null);

        await AssertRejectedAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task TokenInQueryStringAndHeader_Returns400InvalidRequest()
    {
        env.ClearRecordings();
        var token = env.Idp.CreateToken();

        using var response = await SendAsync(HttpMethod.Get, $"{OrdersPath}?Access_Token={token}", token);

        await AssertRejectedAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task TwoAuthorizationHeaders_Returns400InvalidRequest()
    {
        env.ClearRecordings();
        var token = env.Idp.CreateToken();
        using var request = new HttpRequestMessage(HttpMethod.Get, OrdersPath);
        request.Headers.TryAddWithoutValidation("Authorization", new[] { $"Bearer {token}", $"Bearer {token}" });

        using var response = await env.Client.SendAsync(request);

        await AssertRejectedAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Theory]
    [InlineData("Bearer")]
    [InlineData("Bearer    ")]
    public async Task EmptyBearerCredentials_Returns400InvalidRequest(string authorization)
    {
        env.ClearRecordings();
        using var request = new HttpRequestMessage(HttpMethod.Get, OrdersPath);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        using var response = await env.Client.SendAsync(request);

        await AssertRejectedAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Theory]
    [InlineData("POST", "orders.read", "orders.write")]
    [InlineData("DELETE", "orders.read", "orders.write")]
    [InlineData("GET", "orders.write", "orders.read")]
    [InlineData("GET", "", "orders.read")]
    public async Task MissingScope_Returns403InsufficientScope(string method, string granted, string required)
    {
        env.ClearRecordings();
        var token = env.Idp.CreateToken(scope: granted);

        using var response = await SendAsync(new HttpMethod(method), OrdersPath, token);

        await AssertRejectedAsync(response, HttpStatusCode.Forbidden, "insufficient_scope");
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal($"error=\"insufficient_scope\", scope=\"{required}\"", challenge.Parameter);
    }

    [Fact]
    public async Task WriteScope_PostToOrders_Forwarded()
    {
        env.ClearRecordings();
        var token = env.Idp.CreateToken(scope: "orders.write");

        using var response = await SendAsync(HttpMethod.Post, "/api/orders", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(env.Orders.Requests);
        Assert.Equal("POST", received.Method);
        Assert.Equal("/orders", received.Path);
    }

    [Fact]
    public async Task InventoryRoute_InternalTokenAudienceIsInventory()
    {
        env.ClearRecordings();
        var token = env.Idp.CreateToken(scope: "inventory.read", editPayload: p => p["aud"] = new[] { "reference-api", "inventory-api" });

        using var response = await SendAsync(HttpMethod.Get, "/api/inventory/items", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(env.Orders.Requests);
        var received = Assert.Single(env.Inventory.Requests);
        Assert.Equal("/inventory/items", received.Path);
        var validated = await ValidateInternalTokenAsync(Assert.Single(received.Header("Authorization"))["Bearer ".Length..], "inventory-api");
        Assert.True(validated.IsValid, validated.Exception?.Message);
    }

    [Fact]
    public async Task SpoofedIdentityHeaders_NeverReachDownstream()
    {
        env.ClearRecordings();
        using var request = new HttpRequestMessage(HttpMethod.Get, OrdersPath);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", env.Idp.CreateToken());
        AddSpoofedHeaders(request);

        using var response = await env.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertNoSpoofedHeaders(Assert.Single(env.Orders.Requests));
    }

    [Fact]
    public async Task SpoofedIdentityHeaders_AnonymousRoute_NeverReachDownstream()
    {
        env.ClearRecordings();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/public/info");
        AddSpoofedHeaders(request);

        using var response = await env.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(env.Orders.Requests);
        Assert.Equal("/public/info", received.Path);
        AssertNoSpoofedHeaders(received);
    }

    [Fact]
    public async Task SpoofedIdentityHeader_CannotSteerRouting()
    {
        env.ClearRecordings();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/steered/x");
        request.Headers.TryAddWithoutValidation("X-User-Id", "admin");

        using var response = await env.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(env.Orders.Requests);
    }

    [Fact]
    public async Task AnonymousRoute_CallerAuthorizationHeader_NotForwarded()
    {
        env.ClearRecordings();
        var token = env.Idp.CreateToken();

        using var response = await SendAsync(HttpMethod.Get, "/api/public/info", token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(Assert.Single(env.Orders.Requests).Header("Authorization"));
    }

    [Fact]
    public async Task SpoofedIdentityHeaders_RejectedRequest_DownstreamGetsNothing()
    {
        env.ClearRecordings();
        using var request = new HttpRequestMessage(HttpMethod.Get, OrdersPath);
        AddSpoofedHeaders(request);

        using var response = await env.Client.SendAsync(request);

        await AssertRejectedAsync(response, HttpStatusCode.Unauthorized, "missing_token");
    }

    [Fact]
    public async Task InternalJwks_IsPublishedAnonymously_AndNotProxied()
    {
        env.ClearRecordings();

        using var response = await env.Client.GetAsync("/.well-known/internal-jwks.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var set = new JsonWebKeySet(await response.Content.ReadAsStringAsync());
        var key = Assert.Single(set.Keys);
        Assert.Equal("EC", key.Kty);
        Assert.Equal("P-256", key.Crv);
        Assert.Equal("ES256", key.Alg);
        Assert.False(key.HasPrivateKey);
        Assert.Equal(Base64UrlEncoder.Encode(key.ComputeJwkThumbprint()), key.Kid);
        Assert.Empty(env.Orders.Requests);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {token}");
        }

        return env.Client.SendAsync(request);
    }

    private async Task AssertRejectedAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(error, body.RootElement.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("error_description").GetString()));
        Assert.Empty(env.Orders.Requests);
        Assert.Empty(env.Inventory.Requests);
    }

    private static void AddSpoofedHeaders(HttpRequestMessage request)
    {
        request.Headers.TryAddWithoutValidation("X-User-Id", "admin");
        request.Headers.TryAddWithoutValidation("x-user-id", "root");
        // The tenant header is also a tenant-resolution input: a value naming another tenant (or several values) is
        // rejected, not stripped (TenancyTests); one naming the caller's own tenant is accepted and still stripped.
        request.Headers.TryAddWithoutValidation("X-TENANT-ID", "tenant-a");
        request.Headers.TryAddWithoutValidation("X-User-Email", "admin@example.com");
        request.Headers.TryAddWithoutValidation("X-User-Roles", "admin");
        request.Headers.TryAddWithoutValidation("X-Org-Id", "org-1");
        request.Headers.TryAddWithoutValidation("X-Token-Issuer", "http://evil");
        request.Headers.TryAddWithoutValidation("X-Token-Scopes", "orders.write");
        request.Headers.TryAddWithoutValidation("X-Token-Expires", "9999999999");
        request.Headers.TryAddWithoutValidation("X-Internal-Token", "forged");
        request.Headers.TryAddWithoutValidation("X-Custom-Identity", "configured-extra");
        request.Headers.TryAddWithoutValidation("X-Harmless", "kept");
    }

    private static void AssertNoSpoofedHeaders(RecordedRequest received)
    {
        string[] spoofed =
        [
            "x-user-id", "x-tenant-id", "x-user-email", "x-user-roles", "x-org-id", "x-token-issuer", "x-token-scopes",
            "x-token-expires", "x-internal-token", "x-custom-identity",
        ];
        foreach (var name in spoofed)
        {
            Assert.Empty(received.Header(name));
        }

        Assert.Equal(["kept"], received.Header("X-Harmless"));
    }

    private async Task<TokenValidationResult> ValidateInternalTokenAsync(string token, string audience)
    {
        var jwks = new JsonWebKeySet(await env.Client.GetStringAsync("/.well-known/internal-jwks.json"));
        return await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = "urn:reference:gateway",
            ValidAudience = audience,
            ValidTypes = ["internal+jwt"],
            ValidAlgorithms = ["ES256"],
            IssuerSigningKeys = jwks.Keys,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.Zero,
        });
    }

    private string BuildAttack(string attack)
    {
        var idp = env.Idp;
        var valid = idp.CreateToken();
        var parts = valid.Split('.');
        string Unsigned(string alg) => Jws.SigningInput(Jws.Json(new Dictionary<string, object?> { ["alg"] = alg, ["typ"] = "at+jwt", ["kid"] = FakeIdentityProvider.RsaKeyId }), Jws.Json(idp.Payload())) + ".";
        string WithHeader(Action<Dictionary<string, object?>> edit) => idp.CreateToken(editHeader: edit);
        string WithPayload(Action<Dictionary<string, object?>> edit) => idp.CreateToken(editPayload: edit);
        string EcWithSignature(byte[] signature) =>
            Jws.SigningInput(Jws.Json(FakeIdentityProvider.Header("ES256")), Jws.Json(idp.Payload())) + "." + Jws.B64(signature);
        using var attacker = RSA.Create(2048);
        var attackerHeaderInput = (Action<Dictionary<string, object?>> edit) =>
        {
            var header = FakeIdentityProvider.Header(kid: "attacker-key");
            edit(header);
            return Jws.SignRsa(Jws.SigningInput(Jws.Json(header), Jws.Json(idp.Payload())), attacker);
        };
        var p256Order = Convert.FromHexString("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");

        return attack switch
        {
            "alg-none" => Unsigned("none"),
            "alg-None" => Unsigned("None"),
            "alg-NONE" => Unsigned("NONE"),
            "alg-nOnE" => Unsigned("nOnE"),
            "alg-none-with-signature" => Unsigned("none") + parts[2],
            "alg-hs256-with-rsa-public-key" => Jws.SignHmac(
                Jws.SigningInput(Jws.Json(FakeIdentityProvider.Header("HS256", FakeIdentityProvider.RsaKeyId)), Jws.Json(idp.Payload())),
                Encoding.ASCII.GetBytes(idp.Rsa.ExportSubjectPublicKeyInfoPem())),
            "alg-rs256-on-ec-key" => idp.Sign(Jws.Json(FakeIdentityProvider.Header("RS256", FakeIdentityProvider.EcKeyId)), Jws.Json(idp.Payload())),
            "tampered-payload" => $"{parts[0]}.{Jws.B64(Jws.Json(idp.Payload(scope: "orders.read orders.write admin")))}.{parts[2]}",
            "tampered-signature" => $"{parts[0]}.{parts[1]}.{(parts[2][0] == 'A' ? 'B' : 'A')}{parts[2][1..]}",
            "expired" => WithPayload(p =>
            {
                var past = DateTimeOffset.UtcNow.AddMinutes(-20).ToUnixTimeSeconds();
                p["iat"] = past;
                p["nbf"] = past;
                p["exp"] = past + 300;
            }),
            "nbf-in-future" => WithPayload(p => p["nbf"] = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds()),
            "iat-in-future" => WithPayload(p => p["iat"] = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds()),
            "missing-exp" => WithPayload(p => p.Remove("exp")),
            "wrong-audience" => WithPayload(p => p["aud"] = new[] { "orders-api" }),
            "missing-audience" => WithPayload(p => p.Remove("aud")),
            "audience-trailing-slash" => WithPayload(p => p["aud"] = "reference-api/"),
            "audience-as-different-case" => WithPayload(p => p["aud"] = "Reference-API"),
            "issuer-trailing-slash" => WithPayload(p => p["iss"] = idp.Issuer + "/"),
            "issuer-different-case" => WithPayload(p => p["iss"] = idp.Issuer.ToUpperInvariant()),
            "foreign-issuer" => WithPayload(p => p["iss"] = "https://evil.example"),
            "missing-issuer" => WithPayload(p => p.Remove("iss")),
            "typ-jwt" => WithHeader(h => h["typ"] = "JWT"),
            "typ-missing-id-token-like" => WithHeader(h => h.Remove("typ")),
            "typ-internal-jwt" => WithHeader(h => h["typ"] = "internal+jwt"),
            "unknown-kid" => WithHeader(h => h["kid"] = "no-such-key"),
            "kid-traversal" => WithHeader(h => h["kid"] = "../../../../etc/passwd"),
            "kid-oversize" => WithHeader(h => h["kid"] = new string('k', 5000)),
            "kid-long" => WithHeader(h => h["kid"] = new string('k', 200)),
            "missing-kid" => WithHeader(h => h.Remove("kid")),
            "jku-elsewhere" => attackerHeaderInput(h => h["jku"] = idp.AttackerUrl),
            "x5u-elsewhere" => attackerHeaderInput(h => h["x5u"] = idp.AttackerUrl + "/cert.pem"),
            "jwk-embedded" => attackerHeaderInput(h => h["jwk"] = new Dictionary<string, string>
            {
                ["kty"] = "RSA",
                ["n"] = Jws.B64(attacker.ExportParameters(false).Modulus!),
                ["e"] = "AQAB",
            }),
            "x5c-embedded" => attackerHeaderInput(h => h["x5c"] = new[] { Convert.ToBase64String(attacker.ExportSubjectPublicKeyInfo()) }),
            "crit" => WithHeader(h => h["crit"] = new[] { "exp" }),
            "b64-false" => WithHeader(h => h["b64"] = false),
            "jwe-five-segments" => $"{Jws.B64("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\"}")}.{parts[1]}.{parts[1]}.{parts[1]}.{parts[2]}",
            "nested-cty-jwt" => WithHeader(h => h["cty"] = "JWT"),
            "extra-trailing-dot" => valid + ".",
            "extra-middle-dot" => $"{parts[0]}..{parts[1]}.{parts[2]}",
            "two-segments" => $"{parts[0]}.{parts[1]}",
            "whitespace-inside" => $"{parts[0]}. {parts[1]}.{parts[2]}",
            "tab-inside" => $"{parts[0]}.{parts[1]}\t.{parts[2]}",
            "nul-inside" => $"{parts[0]}.{parts[1]}\0.{parts[2]}",
            "bad-base64" => $"{parts[0]}A.{parts[1]}.{parts[2]}",
            "padded-base64" => $"{parts[0]}==.{parts[1]}.{parts[2]}",
            "oversize-token" => WithPayload(p => p["padding"] = new string('x', 9000)),
            "duplicate-header-key" => idp.Sign($"{{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"{FakeIdentityProvider.RsaKeyId}\",\"alg\":\"none\"}}", Jws.Json(idp.Payload())),
            "duplicate-header-key-escaped" => idp.Sign($"{{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"{FakeIdentityProvider.RsaKeyId}\",\"\\u0061lg\":\"RS256\"}}", Jws.Json(idp.Payload())),
            "duplicate-payload-key" => idp.Sign(Jws.Json(FakeIdentityProvider.Header()), Jws.Json(idp.Payload())[..^1] + ",\"sub\":\"admin\"}"),
            "header-not-object" => idp.Sign("[\"RS256\"]", Jws.Json(idp.Payload())),
            "missing-sub" => WithPayload(p => p.Remove("sub")),
            "scope-not-string" => WithPayload(p => p["scope"] = new[] { "orders.read", "orders.write" }),
            "invalid-utf8-in-sub" => Jws.SignRsa(
                $"{Jws.B64(Jws.Json(FakeIdentityProvider.Header()))}.{Jws.B64([.. Encoding.UTF8.GetBytes(Jws.Json(idp.Payload()).TrimEnd('}') + ",\"email\":\"a"), 0xA1, (byte)'"', (byte)'}'])}",
                idp.Rsa),
            "exp-string" => WithPayload(p => p["exp"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
            "nbf-string" => WithPayload(p => p["nbf"] = "0"),
            "iat-string" => WithPayload(p => p["iat"] = "0"),
            "ecdsa-zero-signature" => EcWithSignature(new byte[64]),
            "ecdsa-r-s-equal-order" => EcWithSignature([.. p256Order, .. p256Order]),
            "ecdsa-der-signature" => Jws.SignEcdsa(
                Jws.SigningInput(Jws.Json(FakeIdentityProvider.Header("ES256")), Jws.Json(idp.Payload())), idp.Ec, DSASignatureFormat.Rfc3279DerSequence),
            "empty-signature" => $"{parts[0]}.{parts[1]}.",
            _ => throw new ArgumentOutOfRangeException(nameof(attack), attack, "unknown attack"),
        };
    }
}
