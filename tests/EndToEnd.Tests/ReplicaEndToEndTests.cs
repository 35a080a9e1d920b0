using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Reference.EndToEnd.Tests;

/// <summary>
/// The default AppHost runs the IdentityProvider and the gateway as 2 replicas each behind the AppHost's load
/// balancer. These tests pin requests to one replica or the other (its own port, with the public Host header a
/// browser would send through the load balancer) to prove that neither keeps state of its own.
/// </summary>
[Collection(ReferenceAppTestGroup.Name)]
public sealed class ReplicaEndToEndTests(ReferenceAppFixture fixture)
{
    private const string SessionCookie = "bff.session";
    private const string DemoWebRedirectUri = "http://localhost:5099/callback";

    private Uri Gateway => fixture.App.GetEndpoint("gateway");

    private Uri Identity => fixture.App.GetEndpoint("identity");

    [Theory]
    [InlineData("identity")]
    [InlineData("gateway")]
    public void DefaultModel_IdpAndGateway_RunTwoHealthyReplicasBehindTheLoadBalancer(string resourceName)
    {
        var snapshot = fixture.App.GetResource(resourceName);
        var replicas = fixture.App.GetReplicaEndpoints(resourceName);

        Assert.Equal(2, snapshot.Replicas.Count);
        Assert.All(snapshot.Replicas, r => Assert.True(r.IsReady, $"replica {r.Index} is {r.State}/{r.Health}"));
        Assert.Equal(2, snapshot.Replicas.Select(r => r.ProcessId).Distinct().Count());
        Assert.Equal(fixture.App.GetEndpoint(resourceName).ToString().TrimEnd('/'), snapshot.LoadBalancerUrl);
        Assert.DoesNotContain(fixture.App.GetEndpoint(resourceName), replicas);
    }

    [Fact]
    public async Task Jwks_BothIdpReplicas_PublishTheSameSigningKeysAndIssuer()
    {
        var documents = new List<(string Jwks, string Issuer)>();
        for (var replica = 0; replica < 2; replica++)
        {
            using var client = fixture.App.CreateReplicaHttpClient("identity", replica);
            var jwks = await client.GetFromJsonAsync<JsonElement>(new Uri("/.well-known/jwks", UriKind.Relative));
            var discovery = await client.GetFromJsonAsync<JsonElement>(new Uri("/.well-known/openid-configuration", UriKind.Relative));
            documents.Add((KeySet(jwks), discovery.GetProperty("issuer").GetString()!));
        }

        Assert.NotEmpty(documents[0].Jwks);
        Assert.Equal(documents[0].Jwks, documents[1].Jwks);
        Assert.All(documents, d => Assert.Equal(fixture.IdentityIssuer, d.Issuer));
    }

    [Fact]
    public async Task InternalJwks_BothGatewayReplicas_PublishTheSameKey()
    {
        var keySets = new List<string>();
        for (var replica = 0; replica < 2; replica++)
        {
            using var client = fixture.App.CreateReplicaHttpClient("gateway", replica);
            keySets.Add(KeySet(await client.GetFromJsonAsync<JsonElement>(new Uri("/.well-known/internal-jwks.json", UriKind.Relative))));
        }

        Assert.NotEmpty(keySets[0]);
        Assert.Equal(keySets[0], keySets[1]);
    }

    [Fact]
    public async Task Token_IssuedByIdpReplica0_IsIntrospectedRefreshedAndRevokedThroughReplica1()
    {
        using var browser = new Browser(new ReplicaPinningHandler(Identity, fixture.App.GetReplicaEndpoints("identity")[0]));
        var (code, verifier) = await AuthorizeDemoWebAsync(browser);
        using var replica0 = fixture.App.CreateReplicaHttpClient("identity", 0);
        using var replica1 = fixture.App.CreateReplicaHttpClient("identity", 1);
        using var redeemed = await OAuth.PostFormAsync(replica0, "/connect/token", DemoWebAuthentication(), new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = DemoWebRedirectUri,
            ["code_verifier"] = verifier,
        });
        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
        var tokens = await redeemed.Content.ReadFromJsonAsync<JsonElement>();
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        var refreshToken = tokens.GetProperty("refresh_token").GetString()!;

        Assert.True(await IntrospectAsync(replica1, accessToken));
        using var refreshed = await RefreshAsync(replica1, refreshToken);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var rotated = await refreshed.Content.ReadFromJsonAsync<JsonElement>();
        var newAccessToken = rotated.GetProperty("access_token").GetString()!;
        var newRefreshToken = rotated.GetProperty("refresh_token").GetString()!;
        Assert.True(await IntrospectAsync(replica0, newAccessToken));

        using var revoked = await OAuth.PostFormAsync(replica1, "/connect/revocation", DemoWebAuthentication(), new Dictionary<string, string>
        {
            ["token"] = newRefreshToken,
            ["token_type_hint"] = "refresh_token",
        });
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        using var afterRevocation = await RefreshAsync(replica0, newRefreshToken);
        await AuthorizationCodeFlowEndToEndTests.AssertErrorAsync(afterRevocation, HttpStatusCode.BadRequest, "invalid_grant");
        using var revokedAccess = await OAuth.PostFormAsync(replica1, "/connect/revocation", DemoWebAuthentication(), new Dictionary<string, string>
        {
            ["token"] = accessToken,
            ["token_type_hint"] = "access_token",
        });
        Assert.Equal(HttpStatusCode.OK, revokedAccess.StatusCode);
        Assert.False(await IntrospectAsync(replica0, accessToken));
    }

    [Fact]
    public async Task ReferenceToken_IssuedByIdpReplica0_IsActiveAtReplica1()
    {
        using var replica0 = fixture.App.CreateReplicaHttpClient("identity", 0);
        using var replica1 = fixture.App.CreateReplicaHttpClient("identity", 1);
        using var issued = await OAuth.PostFormAsync(
            replica0, "/connect/token", OAuth.Basic("demo-reference", fixture.App.GetParameterValue("demo-reference-secret")),
            new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "orders.read" });
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        var token = (await issued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;

        Assert.DoesNotContain('.', token);
        Assert.True(await IntrospectAsync(replica1, token));
    }

    [Fact]
    public async Task Bff_SessionCreatedThroughGatewayReplica0_IsUsedThroughReplica1()
    {
        var pinning = new ReplicaPinningHandler(Gateway, fixture.App.GetReplicaEndpoints("gateway")[0]);
        using var browser = new Browser(pinning);
        var start = new Uri(Gateway, "/bff/login?returnUrl=/bff/user");
        using var toIdp = await browser.GetAsync(start);
        Assert.Equal(HttpStatusCode.Found, toIdp.StatusCode);
        var authorize = toIdp.Headers.Location!;
        Assert.Equal(Identity.Authority, authorize.Authority);
        Assert.Equal(new Uri(Gateway, "/bff/callback").ToString(), OAuth.Query(authorize)["redirect_uri"]);

        var (loginPage, loginUrl) = await browser.FollowAsync(toIdp, start);
        var (user, userUrl) = await browser.LogInAsync(loginPage, loginUrl, "alice", fixture.App.GetParameterValue("demo-user-password"));
        Assert.Equal(HttpStatusCode.OK, user.StatusCode);
        Assert.Equal(new Uri(Gateway, "/bff/user"), userUrl);
        Assert.Contains("/bff/callback", pinning.PinnedPaths);
        var cookie = browser.Jar.Get(Gateway, SessionCookie);
        Assert.NotNull(cookie);
        var sessionHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(cookie)))[..12];

        pinning.Target = fixture.App.GetReplicaEndpoints("gateway")[1];
        using var userThroughReplica1 = await browser.GetAsync(new Uri(Gateway, "/bff/user"));
        using var apiThroughReplica1 = await browser.GetAsync(new Uri(Gateway, "/bff-api/orders/whoami"));

        Assert.Equal(HttpStatusCode.OK, userThroughReplica1.StatusCode);
        Assert.Equal("0b6c1a9e-alice", (await userThroughReplica1.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sub").GetString());
        Assert.Equal(HttpStatusCode.OK, apiThroughReplica1.StatusCode);
        Assert.Equal("0b6c1a9e-alice", (await apiThroughReplica1.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("subject").GetString());
        // The test system refreshes on every API call (ReferenceAppFixture.BffAccessTokenLifetime): replica 1 refreshed
        // the tokens replica 0 stored in the session, with the rotating refresh token replica 0 received.
        var refreshed = await fixture.WaitForLogAsync(ReplicaLog("gateway", 1), $"Session {sessionHash}: access token refreshed.");
        Assert.NotEmpty(refreshed);
    }

    [Fact]
    public async Task Bff_LoginThroughTheLoadBalancer_RedirectsAndCookiesUseThePublicUrl()
    {
        using var browser = new Browser();
        var start = new Uri(Gateway, "/bff/login?returnUrl=/bff/user");
        using var toIdp = await browser.GetAsync(start);
        var (loginPage, loginUrl) = await browser.FollowAsync(toIdp, start);
        var (user, userUrl) = await browser.LogInAsync(loginPage, loginUrl, "alice", fixture.App.GetParameterValue("demo-user-password"));

        Assert.Equal(Identity.Authority, loginUrl.Authority);
        Assert.Equal(HttpStatusCode.OK, user.StatusCode);
        Assert.Equal(new Uri(Gateway, "/bff/user"), userUrl);
        for (var call = 0; call < 4; call++)
        {
            using var response = await browser.GetAsync(new Uri(Gateway, "/bff/user"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private static string ReplicaLog(string resourceName, int replica) => $"{resourceName}#{replica}";

    private static string KeySet(JsonElement jwks) =>
        string.Join("\n", jwks.GetProperty("keys").EnumerateArray().Select(k => k.GetRawText()).Order(StringComparer.Ordinal));

    private System.Net.Http.Headers.AuthenticationHeaderValue DemoWebAuthentication() =>
        OAuth.Basic("demo-web", fixture.App.GetParameterValue("demo-web-secret"));

    private Task<HttpResponseMessage> RefreshAsync(HttpClient identity, string refreshToken) =>
        OAuth.PostFormAsync(identity, "/connect/token", DemoWebAuthentication(), new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
        });

    private async Task<bool> IntrospectAsync(HttpClient identity, string token)
    {
        using var response = await OAuth.PostFormAsync(
            identity, "/connect/introspect", OAuth.Basic("reference-api", fixture.App.GetParameterValue("gateway-introspection-secret")),
            new Dictionary<string, string> { ["token"] = token });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("active").GetBoolean();
    }

    /// <summary>demo-web's authorization code + PKCE at the IdP (the browser decides which replica serves it).</summary>
    private async Task<(string Code, string Verifier)> AuthorizeDemoWebAsync(Browser browser)
    {
        var verifier = OAuth.RandomValue();
        var state = OAuth.RandomValue();
        var query = string.Join("&", new Dictionary<string, string>
        {
            ["response_type"] = "code",
            ["client_id"] = "demo-web",
            ["redirect_uri"] = DemoWebRedirectUri,
            ["scope"] = "openid offline_access orders.read",
            ["state"] = state,
            ["nonce"] = OAuth.RandomValue(),
            ["code_challenge"] = OAuth.Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))),
            ["code_challenge_method"] = "S256",
        }.Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value)}"));
        var authorizeUrl = new Uri(Identity, "/connect/authorize?" + query);
        var (loginPage, loginUrl) = await browser.FollowAsync(authorizeUrl);
        var (callback, _) = await browser.LogInAsync(
            loginPage, loginUrl, "alice", fixture.App.GetParameterValue("demo-user-password"), stopAt: u => u.Port == 5099);
        Assert.Equal(HttpStatusCode.Found, callback.StatusCode);
        var answer = OAuth.Query(callback.Headers.Location!);
        Assert.Equal(state, answer["state"]);
        return (answer["code"], verifier);
    }
}

/// <summary>
/// Sends every request for one public origin (a load balancer) to one replica instead, keeping the public Host header
/// as the load balancer does; other origins pass through. Records the paths it pinned.
/// </summary>
internal sealed class ReplicaPinningHandler(Uri publicOrigin, Uri target)
    : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false })
{
    private readonly List<string> _pinned = [];

    public Uri Target { get; set; } = target;

    public IReadOnlyList<string> PinnedPaths
    {
        get
        {
            lock (_pinned)
            {
                return [.. _pinned];
            }
        }
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        if (uri.Authority == publicOrigin.Authority)
        {
            request.Headers.Host = publicOrigin.Authority;
            request.RequestUri = new UriBuilder(uri) { Port = Target.Port }.Uri;
            lock (_pinned)
            {
                _pinned.Add(uri.AbsolutePath);
            }
        }

        return base.SendAsync(request, cancellationToken);
    }
}
