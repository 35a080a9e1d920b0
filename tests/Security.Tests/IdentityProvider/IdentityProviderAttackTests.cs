using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Reference.Security.Tests.Infrastructure;
using static Reference.Security.Tests.Infrastructure.TokenForge;

namespace Reference.Security.Tests.IdentityProvider;

/// <summary>
/// The IdentityProvider's protocol endpoints against abuse, on the running system: redirect_uri tricks and open
/// redirects, PKCE downgrade, implicit/password grants, code replay, refresh-token reuse, unauthenticated
/// introspection, revoking a foreign token, token-exchange abuse. Each case asserts the status and the RFC error code,
/// and that nothing was issued (no code, no token, no redirect to the attacker).
/// </summary>
[Collection(SecuritySystemGroup.Name)]
public sealed class IdentityProviderAttackTests(SecuritySystemFixture fixture)
{
    private const string ClientId = "demo-web";
    private const string RedirectUri = "http://localhost:5099/callback";
    private const string TokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange";
    private const string AccessTokenType = "urn:ietf:params:oauth:token-type:access_token";

    public static TheoryData<string, string> RedirectUriTricks => new()
    {
        { "trailing-slash", RedirectUri + "/" },
        { "uppercase-host", "http://LOCALHOST:5099/callback" },
        { "extra-path", RedirectUri + "/evil" },
        { "dot-segments", "http://localhost:5099/callback/../evil" },
        { "extra-query", RedirectUri + "?next=https://attacker.example" },
        { "fragment", RedirectUri + "#x" },
        { "userinfo", "http://localhost:5099@attacker.example/callback" },
        { "other-port", "http://localhost:5100/callback" },
        { "https-scheme", "https://localhost:5099/callback" },
        { "attacker-host", "https://attacker.example/callback" },
        { "protocol-relative", "//attacker.example/callback" },
        { "encoded", "http%3A%2F%2Flocalhost%3A5099%2Fcallback" },
        { "javascript", "javascript:alert(1)" },
        { "missing", "" },
    };

    [Theory]
    [MemberData(nameof(RedirectUriTricks))]
    public async Task Authorize_RedirectUriNotExactlyRegistered_ErrorPageAndNoRedirect(string caseId, string redirectUri)
    {
        using var browser = new Browser();
        var url = AuthorizeUrl(out _, redirectUri: redirectUri);

        using var response = await browser.GetAsync(url);

        var page = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{caseId}: {(int)response.StatusCode} {response.Headers.Location} {page}");
        Assert.Null(response.Headers.Location);
        Assert.StartsWith("text/html", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("redirect_uri", page, StringComparison.Ordinal);
        Assert.DoesNotContain("attacker.example", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorize_UnknownClient_ErrorPageAndNoRedirect()
    {
        using var browser = new Browser();

        using var response = await browser.GetAsync(AuthorizeUrl(out _, clientId: "attacker-client", redirectUri: "https://attacker.example/cb"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    public static TheoryData<string, string?, string?, string> AuthorizeDowngrades => new()
    {
        // case id, code_challenge_method, response_type, expected error (sent back to the registered redirect URI)
        { "pkce-plain", "plain", null, "invalid_request" },
        { "pkce-method-missing", "", null, "invalid_request" },
        { "pkce-challenge-missing", "NO-CHALLENGE", null, "invalid_request" },
        { "pkce-challenge-too-short", "SHORT", null, "invalid_request" },
        { "implicit-token", null, "token", "unsupported_response_type" },
        { "implicit-id-token", null, "id_token", "unsupported_response_type" },
        { "hybrid", null, "code token", "unsupported_response_type" },
    };

    [Theory]
    [MemberData(nameof(AuthorizeDowngrades))]
    public async Task Authorize_PkceDowngradeOrImplicitFlow_ErrorToRegisteredRedirectAndNoCode(string caseId, string? method, string? responseType, string error)
    {
        using var browser = new Browser();
        var url = AuthorizeUrl(out _, challengeMethod: method, responseType: responseType);

        using var response = await browser.GetAsync(url);

        Assert.True(response.StatusCode == HttpStatusCode.Found, $"{caseId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var location = response.Headers.Location!;
        Assert.StartsWith(RedirectUri + "?", location.ToString(), StringComparison.Ordinal);
        var query = OAuth.Query(location);
        Assert.Equal(error, query["error"]);
        Assert.Equal(fixture.IdentityIssuer, query["iss"]);
        Assert.False(query.ContainsKey("code"), $"{caseId} issued a code");
        Assert.False(query.ContainsKey("access_token"), $"{caseId} issued a token");
    }

    [Theory]
    [InlineData("password", "unsupported_grant_type")]
    [InlineData("implicit", "unsupported_grant_type")]
    [InlineData("urn:ietf:params:oauth:grant-type:device_code", "unsupported_grant_type")]
    public async Task Token_PasswordOrOtherUnsupportedGrant_Refused(string grantType, string error)
    {
        using var identity = fixture.App.CreateHttpClient("identity");

        using var response = await OAuth.PostFormAsync(identity, "/connect/token", ClientAuthentication(), new Dictionary<string, string>
        {
            ["grant_type"] = grantType,
            ["username"] = "alice",
            ["password"] = fixture.App.GetParameterValue("demo-user-password"),
            ["scope"] = "openid orders.read",
        });

        await SecuritySystemFixture.AssertOAuthErrorAsync(response, HttpStatusCode.BadRequest, error);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task CodeFlow_CodeAbuse_ReplayWrongVerifierRedirectAndClientAllRefused()
    {
        using var browser = new Browser();
        using var identity = fixture.App.CreateHttpClient("identity");
        var (code, verifier, _) = await AuthorizeAsync(browser, logIn: true);

        // PKCE: no verifier, a wrong one, and the challenge itself as the verifier (plain downgrade at the token endpoint).
        foreach (var (name, value) in new[] { ("no-verifier", (string?)null), ("wrong-verifier", OAuth.RandomValue()), ("challenge-as-verifier", Challenge(verifier)) })
        {
            var (other, _, _) = await AuthorizeAsync(browser, logIn: false);
            using var refused = await RedeemAsync(identity, other, value);
            await SecuritySystemFixture.AssertOAuthErrorAsync(refused, HttpStatusCode.BadRequest, "invalid_grant");
            Assert.True(name.Length > 0);
        }

        var (forRedirect, redirectVerifier, _) = await AuthorizeAsync(browser, logIn: false);
        using var otherRedirect = await RedeemAsync(identity, forRedirect, redirectVerifier, redirectUri: RedirectUri + "/");
        await SecuritySystemFixture.AssertOAuthErrorAsync(otherRedirect, HttpStatusCode.BadRequest, "invalid_grant");

        var (forOtherClient, otherClientVerifier, _) = await AuthorizeAsync(browser, logIn: false);
        using var byOtherClient = await OAuth.PostFormAsync(identity, "/connect/token", null, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = "demo-spa",
            ["code"] = forOtherClient,
            ["redirect_uri"] = "http://localhost:5098/callback",
            ["code_verifier"] = otherClientVerifier,
        });
        await SecuritySystemFixture.AssertOAuthErrorAsync(byOtherClient, HttpStatusCode.BadRequest, "invalid_grant");

        using var first = await RedeemAsync(identity, code, verifier);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("no-store", first.Headers.CacheControl?.ToString());
        var tokens = await first.Content.ReadFromJsonAsync<JsonElement>();
        using var replay = await RedeemAsync(identity, code, verifier);

        await SecuritySystemFixture.AssertOAuthErrorAsync(replay, HttpStatusCode.BadRequest, "invalid_grant");
        Assert.False(await IntrospectAsync(tokens.GetProperty("access_token").GetString()!));
        using var refreshAfterReplay = await RefreshAsync(identity, tokens.GetProperty("refresh_token").GetString()!);
        await SecuritySystemFixture.AssertOAuthErrorAsync(refreshAfterReplay, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task CodeFlow_RefreshAbuse_ReuseRevokesFamilyOtherClientAndWiderScopeRefused()
    {
        using var browser = new Browser();
        using var identity = fixture.App.CreateHttpClient("identity");
        var (code, verifier, _) = await AuthorizeAsync(browser, logIn: true);
        using var issued = await RedeemAsync(identity, code, verifier);
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        var tokens = await issued.Content.ReadFromJsonAsync<JsonElement>();
        var refreshToken = tokens.GetProperty("refresh_token").GetString()!;
        var idToken = tokens.GetProperty("id_token").GetString()!;

        using var wider = await RefreshAsync(identity, refreshToken, scope: "openid orders.read orders.write");
        await SecuritySystemFixture.AssertOAuthErrorAsync(wider, HttpStatusCode.BadRequest, "invalid_scope");
        using var otherClient = await OAuth.PostFormAsync(identity, "/connect/token", null, new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = "demo-spa",
            ["refresh_token"] = refreshToken,
        });
        await SecuritySystemFixture.AssertOAuthErrorAsync(otherClient, HttpStatusCode.BadRequest, "invalid_grant");

        using var rotated = await RefreshAsync(identity, refreshToken);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var next = await rotated.Content.ReadFromJsonAsync<JsonElement>();
        using var reuse = await RefreshAsync(identity, refreshToken);

        await SecuritySystemFixture.AssertOAuthErrorAsync(reuse, HttpStatusCode.BadRequest, "invalid_grant");
        using var familyRevoked = await RefreshAsync(identity, next.GetProperty("refresh_token").GetString()!);
        await SecuritySystemFixture.AssertOAuthErrorAsync(familyRevoked, HttpStatusCode.BadRequest, "invalid_grant");
        Assert.False(await IntrospectAsync(next.GetProperty("access_token").GetString()!));

        // The ID token from the same flow is not an access token: refused at the gateway's edge.
        var marker = SecuritySystemFixture.Marker("id-token-at-edge");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/sec/jwt/{marker}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", idToken);
        using var atEdge = await fixture.SendToGatewayAsync(request);
        await SecuritySystemFixture.AssertGatewayErrorAsync(atEdge, HttpStatusCode.Unauthorized, "invalid_token", "The token type is not at+jwt.");
        Assert.Empty(fixture.Stub.RequestsFor(marker));
    }

    [Theory]
    [InlineData("no-authentication", null)]
    [InlineData("wrong-secret", "reference-api:wrong")]
    [InlineData("unknown-resource", "attacker-api:secret")]
    public async Task Introspection_WithoutValidCallerAuthentication_Returns401(string caseId, string? credentials)
    {
        var token = await fixture.GetTokenAsync("demo-client", "orders.read");
        using var identity = fixture.App.CreateHttpClient("identity");
        var authorization = credentials is null ? null : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));

        using var response = await OAuth.PostFormAsync(identity, "/connect/introspect", authorization, new Dictionary<string, string> { ["token"] = token });

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{caseId}: {(int)response.StatusCode} {body}");
        Assert.Equal("invalid_client", JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
        Assert.DoesNotContain("\"active\"", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("attacker-signed")]
    [InlineData("random-string")]
    [InlineData("issuer-key-foreign-issuer")]
    public async Task Introspection_ForeignOrUnknownToken_AnswersOnlyActiveFalse(string caseId)
    {
        var token = caseId switch
        {
            "attacker-signed" => AttackerToken(),
            "issuer-key-foreign-issuer" => fixture.SignWithIssuer(Json(fixture.GoodClaims(), c => c["iss"] = "https://attacker.example")),
            _ => OAuth.RandomValue(),
        };

        using var response = await IntrospectRawAsync(token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"active":false}""", (await response.Content.ReadAsStringAsync()).Replace(" ", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Revocation_WithoutAuthentication_Returns401AndTokenStaysActive()
    {
        var token = await fixture.GetTokenAsync("demo-client", "orders.read");
        using var identity = fixture.App.CreateHttpClient("identity");

        using var response = await OAuth.PostFormAsync(identity, "/connect/revocation", null, new Dictionary<string, string> { ["token"] = token });

        await SecuritySystemFixture.AssertOAuthErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client");
        Assert.True(await IntrospectAsync(token));
    }

    [Fact]
    public async Task Revocation_ByAnotherClient_Answers200ButTokenStaysActive()
    {
        var token = await fixture.GetTokenAsync("demo-client", "orders.read");
        using var identity = fixture.App.CreateHttpClient("identity");

        using var response = await OAuth.PostFormAsync(identity, "/connect/revocation", fixture.ClientAuthentication("demo-client-b"), new Dictionary<string, string> { ["token"] = token });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(await IntrospectAsync(token));
    }

    public static TheoryData<string, string, HttpStatusCode> TokenExchangeAbuse => new()
    {
        { "foreign-subject-attacker-key", "invalid_request", HttpStatusCode.BadRequest },
        { "subject-foreign-issuer", "invalid_request", HttpStatusCode.BadRequest },
        { "subject-is-id-token-type", "invalid_request", HttpStatusCode.BadRequest },
        { "subject-missing", "invalid_request", HttpStatusCode.BadRequest },
        { "subject-type-missing", "invalid_request", HttpStatusCode.BadRequest },
        { "subject-type-unknown", "invalid_request", HttpStatusCode.BadRequest },
        { "subject-revoked", "invalid_request", HttpStatusCode.BadRequest },
        { "audience-escalation", "invalid_target", HttpStatusCode.BadRequest },
        { "audience-unknown", "invalid_target", HttpStatusCode.BadRequest },
        { "scope-escalation", "invalid_scope", HttpStatusCode.BadRequest },
        { "actor-token-without-type", "invalid_request", HttpStatusCode.BadRequest },
        { "actor-type-without-token", "invalid_request", HttpStatusCode.BadRequest },
        { "forged-actor-token", "invalid_request", HttpStatusCode.BadRequest },
        { "forged-act-claim-in-subject", "invalid_request", HttpStatusCode.BadRequest },
        { "client-not-allowed-to-exchange", "unauthorized_client", HttpStatusCode.BadRequest },
        { "no-client-authentication", "invalid_client", HttpStatusCode.Unauthorized },
    };

    [Theory]
    [MemberData(nameof(TokenExchangeAbuse))]
    public async Task TokenExchange_Abuse_RefusedWithRfc8693Error(string caseId, string error, HttpStatusCode status)
    {
        var subject = await fixture.GetTokenAsync("demo-client", "orders.read");
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = TokenExchange,
            ["subject_token"] = subject,
            ["subject_token_type"] = AccessTokenType,
            ["audience"] = "orders-api",
        };
        var client = OAuth.Basic("gateway", fixture.App.GetParameterValue("gateway-client-secret"));
        switch (caseId)
        {
            case "foreign-subject-attacker-key":
                form["subject_token"] = AttackerToken();
                break;
            case "subject-foreign-issuer":
                form["subject_token"] = fixture.SignWithIssuer(Json(fixture.GoodClaims(), c => c["iss"] = "https://attacker.example"));
                break;
            case "subject-is-id-token-type":
                form["subject_token"] = fixture.SignWithIssuer(Json(fixture.GoodClaims(), _ => { }), """{"alg":"RS256","typ":"JWT","kid":"{kid}"}""");
                break;
            case "subject-missing":
                form.Remove("subject_token");
                break;
            case "subject-type-missing":
                form.Remove("subject_token_type");
                break;
            case "subject-type-unknown":
                form["subject_token_type"] = "urn:ietf:params:oauth:token-type:saml2";
                break;
            case "subject-revoked":
                using (var identity = fixture.App.CreateHttpClient("identity"))
                using (var revoked = await OAuth.PostFormAsync(identity, "/connect/revocation", fixture.ClientAuthentication("demo-client"), new Dictionary<string, string> { ["token"] = subject }))
                {
                    Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
                }

                break;
            case "audience-escalation":
                form["audience"] = "reference-api";
                break;
            case "audience-unknown":
                form["audience"] = "attacker-api";
                break;
            case "scope-escalation":
                form["scope"] = "orders.read orders.write";
                break;
            case "actor-token-without-type":
                form["actor_token"] = await fixture.GetTokenAsync("demo-client-b", "orders.read");
                break;
            case "actor-type-without-token":
                form["actor_token_type"] = AccessTokenType;
                break;
            case "forged-actor-token":
                form["actor_token"] = AttackerToken();
                form["actor_token_type"] = AccessTokenType;
                break;
            case "forged-act-claim-in-subject":
                // A subject token claiming prior actors, signed by a key the IdP does not know.
                form["subject_token"] = AttackerToken(c => c["act"] = new Dictionary<string, object> { ["sub"] = "gateway" });
                break;
            case "client-not-allowed-to-exchange":
                client = fixture.ClientAuthentication("demo-client");
                break;
            case "no-client-authentication":
                client = null;
                break;
        }

        using var identityClient = fixture.App.CreateHttpClient("identity");
        using var response = await OAuth.PostFormAsync(identityClient, "/connect/token", client, form);

        await SecuritySystemFixture.AssertOAuthErrorAsync(response, status, error);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    public static TheoryData<string, string> PostLogoutRedirects => new()
    {
        { "attacker-host", "https://attacker.example/signed-out" },
        { "registered-prefix", "http://localhost:5099/signed-out.attacker.example" },
        { "userinfo", "http://localhost:5099@attacker.example/signed-out" },
        { "protocol-relative", "//attacker.example" },
    };

    [Theory]
    [MemberData(nameof(PostLogoutRedirects))]
    public async Task EndSession_UnregisteredPostLogoutRedirect_NeverRedirected(string caseId, string postLogoutRedirectUri)
    {
        using var browser = new Browser();
        var url = new Uri(fixture.Identity, $"/connect/endsession?client_id={ClientId}&post_logout_redirect_uri={Uri.EscapeDataString(postLogoutRedirectUri)}&state=x");

        using var response = await browser.GetAsync(url);

        Assert.True(response.Headers.Location is null || !response.Headers.Location.ToString().Contains("attacker", StringComparison.Ordinal), $"{caseId} redirected to {response.Headers.Location}");
        Assert.NotEqual(HttpStatusCode.Found, response.StatusCode);
        Assert.DoesNotContain("attacker.example", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("//attacker.example/")]
    [InlineData("/\\attacker.example/")]
    [InlineData("https://attacker.example/")]
    public async Task Login_ForeignReturnUrl_NeverRedirectsThere(string returnUrl)
    {
        using var browser = new Browser();
        var loginUrl = new Uri(fixture.Identity, "/account/login?returnUrl=" + Uri.EscapeDataString(returnUrl));
        using var page = await browser.GetAsync(loginUrl);

        var (response, _) = page.StatusCode == HttpStatusCode.OK
            ? await browser.SubmitFormAsync(page, loginUrl, new Dictionary<string, string>
            {
                ["username"] = "carol",
                ["password"] = fixture.App.GetParameterValue("demo-user-password"),
            })
            : (page, loginUrl);

        using (response)
        {
            var location = response.Headers.Location;
            Assert.True(location is null || (!location.IsAbsoluteUri && !location.OriginalString.StartsWith("//", StringComparison.Ordinal) && !location.OriginalString.StartsWith("/\\", StringComparison.Ordinal)),
                $"login redirected to {location}");
        }
    }

    [Fact]
    public async Task Login_PlantedSessionCookie_ReplacedAtLogin()
    {
        using var browser = new Browser();
        var planted = OAuth.RandomValue();
        browser.Jar.Set(fixture.Identity, "__Host-idp.session", planted);

        await AuthorizeAsync(browser, logIn: true);

        var cookie = browser.Jar.Get(fixture.Identity, "__Host-idp.session");
        Assert.NotNull(cookie);
        Assert.NotEqual(planted, cookie);
    }

    private async Task<(string Code, string Verifier, string State)> AuthorizeAsync(Browser browser, bool logIn)
    {
        var url = AuthorizeUrl(out var verifier);
        using var first = await browser.GetAsync(url);
        HttpResponseMessage callback;
        if (logIn)
        {
            Assert.Equal(HttpStatusCode.Found, first.StatusCode);
            var (loginPage, loginUrl) = await browser.FollowAsync(first, url);
            (callback, _) = await browser.LogInAsync(loginPage, loginUrl, "alice", fixture.App.GetParameterValue("demo-user-password"), stopAt: u => u.Port == 5099);
        }
        else
        {
            callback = first;
        }

        using (callback)
        {
            Assert.Equal(HttpStatusCode.Found, callback.StatusCode);
            var query = OAuth.Query(callback.Headers.Location!);
            Assert.True(query.ContainsKey("code"), $"no code in {callback.Headers.Location}");
            return (query["code"], verifier, query["state"]);
        }
    }

    private Uri AuthorizeUrl(out string verifier, string? redirectUri = RedirectUri, string? challengeMethod = "S256", string? responseType = null, string clientId = ClientId)
    {
        verifier = OAuth.RandomValue();
        var parameters = new Dictionary<string, string>
        {
            ["response_type"] = responseType ?? "code",
            ["client_id"] = clientId,
            ["scope"] = "openid profile offline_access orders.read",
            ["state"] = OAuth.RandomValue(),
            ["nonce"] = OAuth.RandomValue(),
            ["code_challenge"] = Challenge(verifier),
            ["code_challenge_method"] = challengeMethod ?? "S256",
        };
        if (!string.IsNullOrEmpty(redirectUri))
        {
            parameters["redirect_uri"] = redirectUri;
        }

        switch (challengeMethod)
        {
            case "plain":
                parameters["code_challenge"] = verifier;
                break;
            case "":
                parameters.Remove("code_challenge_method");
                break;
            case "NO-CHALLENGE":
                parameters.Remove("code_challenge");
                parameters["code_challenge_method"] = "S256";
                break;
            case "SHORT":
                parameters["code_challenge"] = "abc";
                parameters["code_challenge_method"] = "S256";
                break;
        }

        var query = string.Join("&", parameters.Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value)}"));
        return new Uri(fixture.Identity, "/connect/authorize?" + query);
    }

    private static string Challenge(string verifier) => OAuth.Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    private AuthenticationHeaderValue ClientAuthentication() => OAuth.Basic(ClientId, fixture.App.GetParameterValue("demo-web-secret"));

    private Task<HttpResponseMessage> RedeemAsync(HttpClient identity, string code, string? verifier, string redirectUri = RedirectUri)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
        };
        if (verifier is not null)
        {
            form["code_verifier"] = verifier;
        }

        return OAuth.PostFormAsync(identity, "/connect/token", ClientAuthentication(), form);
    }

    private Task<HttpResponseMessage> RefreshAsync(HttpClient identity, string refreshToken, string? scope = null)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken };
        if (scope is not null)
        {
            form["scope"] = scope;
        }

        return OAuth.PostFormAsync(identity, "/connect/token", ClientAuthentication(), form);
    }

    private async Task<HttpResponseMessage> IntrospectRawAsync(string token)
    {
        using var identity = fixture.App.CreateHttpClient("identity");
        return await OAuth.PostFormAsync(
            identity, "/connect/introspect", OAuth.Basic("reference-api", fixture.App.GetParameterValue("gateway-introspection-secret")), new Dictionary<string, string> { ["token"] = token });
    }

    private async Task<bool> IntrospectAsync(string token)
    {
        using var response = await IntrospectRawAsync(token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("active").GetBoolean();
    }

    private static string Json(Dictionary<string, object> claims, Action<Dictionary<string, object>> edit)
    {
        edit(claims);
        return JsonSerializer.Serialize(claims);
    }

    /// <summary>A well-formed at+jwt naming the real issuer, signed by a key the IdP never published.</summary>
    private string AttackerToken(Action<Dictionary<string, object>>? edit = null)
    {
        using var key = RSA.Create(2048);
        var claims = fixture.GoodClaims();
        edit?.Invoke(claims);
        return SignRs256(SigningInput($$"""{"alg":"RS256","typ":"at+jwt","kid":"{{fixture.IssuerRsaKey.KeyId}}"}""", JsonSerializer.Serialize(claims)), key);
    }
}
