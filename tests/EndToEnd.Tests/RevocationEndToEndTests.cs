using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Xunit.Abstractions;

namespace Reference.EndToEnd.Tests;

/// <summary>
/// Revocation reaches every cache: a token is used through the gateway (which warms the validated-token, introspection,
/// minted-token, exchanged-token and service caches), revoked at the IdP, and the next requests through every gateway
/// instance are rejected. The revoke→rejected latency is measured and printed (no timing assertion beyond a sanity bound).
/// </summary>
[Collection(ReferenceAppTestGroup.Name)]
public sealed class RevocationEndToEndTests(ReferenceAppFixture fixture, ITestOutputHelper output)
{
    private const int Iterations = 20;
    private const string DemoWebRedirectUri = "http://localhost:5099/callback";
    private static readonly TimeSpan SanityBound = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task RevokeAccessToken_EveryGatewayInstance_RejectsItOnEveryPropagationPath()
    {
        using var identity = fixture.App.CreateHttpClient("identity");
        var gateways = GatewayClients();
        var latencies = new List<Latency>();
        var acceptedAfterRevoke = 0;
        string[] paths = ["/api/orders/whoami", "/api/inventory/whoami", "/exchange/orders/whoami"];
        for (var i = 0; i < Iterations; i++)
        {
            var token = await fixture.GetTokenAsync("demo-client", "orders.read inventory.read");
            foreach (var gateway in gateways)
            {
                foreach (var path in paths)
                {
                    await WarmAsync(gateway, path, token);
                }
            }

            var (latency, accepted) = await MeasureAsync(
                () => RevokeAsync(identity, "demo-client", fixture.App.GetParameterValue("demo-client-secret"), token),
                gateways,
                paths,
                token);
            latencies.Add(latency);
            acceptedAfterRevoke += accepted;
        }

        Report("jti (access token, JWT: validated + minted + exchanged + service caches)", latencies, acceptedAfterRevoke, gateways.Count);
        DisposeAll(gateways);
    }

    [Fact]
    public async Task RevokeReferenceToken_IntrospectionCacheHit_IsRejected()
    {
        using var identity = fixture.App.CreateHttpClient("identity");
        var gateways = GatewayClients();
        var latencies = new List<Latency>();
        var acceptedAfterRevoke = 0;
        string[] paths = ["/opaque/orders/whoami"];
        for (var i = 0; i < Iterations / 2; i++)
        {
            var token = await fixture.GetTokenAsync("demo-reference", "orders.read");
            foreach (var gateway in gateways)
            {
                await AssertAcceptedAsync(gateway, paths[0], token);
                await AssertAcceptedAsync(gateway, paths[0], token);
            }

            var (latency, accepted) = await MeasureAsync(
                () => RevokeAsync(identity, "demo-reference", fixture.App.GetParameterValue("demo-reference-secret"), token),
                gateways,
                paths,
                token);
            latencies.Add(latency);
            acceptedAfterRevoke += accepted;
        }

        Report("jti (reference token, introspection cache)", latencies, acceptedAfterRevoke, gateways.Count);
        DisposeAll(gateways);
    }

    [Fact]
    public async Task LogoutAtIdp_SessionsBearerTokensAndBffSessionOfThatSid_AreRejected()
    {
        using var browser = new Browser();
        var gateway = fixture.App.GetEndpoint("gateway");
        await LogInThroughBffAsync(browser, gateway);
        using (var bffBefore = await browser.GetAsync(new Uri(gateway, "/bff-api/orders/whoami")))
        {
            Assert.Equal(HttpStatusCode.OK, bffBefore.StatusCode);
        }

        // The same browser has the IdP session: demo-web gets a token of the same sid without a login page.
        var tokens = await AuthorizeDemoWebAsync(browser, expectLogin: false);
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        var sid = new JsonWebToken(accessToken).GetPayloadValue<string>("sid");
        Assert.False(string.IsNullOrEmpty(sid));
        var gateways = GatewayClients();
        foreach (var client in gateways)
        {
            await AssertAcceptedAsync(client, "/api/orders/whoami", accessToken);
        }

        var identity = fixture.App.GetEndpoint("identity");
        var (confirmation, confirmationUrl) = await browser.FollowAsync(new Uri(identity, "/connect/endsession"));
        Assert.Equal(HttpStatusCode.OK, confirmation.StatusCode);
        var (latency, accepted) = await MeasureAsync(
            async () =>
            {
                var (signedOut, _) = await browser.SubmitFormAsync(confirmation, confirmationUrl, new Dictionary<string, string>());
                Assert.Equal(HttpStatusCode.OK, signedOut.StatusCode);
            },
            gateways,
            ["/api/orders/whoami"],
            accessToken);

        using var bffAfter = await browser.GetAsync(new Uri(gateway, "/bff-api/orders/whoami"));
        Assert.Equal(HttpStatusCode.Unauthorized, bffAfter.StatusCode);
        Report("sid (IdP logout: bearer token of the session; the BFF session is gone too)", [latency], accepted, gateways.Count);
        DisposeAll(gateways);
    }

    [Fact]
    public async Task RefreshTokenReused_FamilyRevoked_AccessTokensOfTheFamilyAreRejected()
    {
        using var browser = new Browser();
        using var identity = fixture.App.CreateHttpClient("identity");
        var first = await AuthorizeDemoWebAsync(browser, expectLogin: true);
        var firstAccess = first.GetProperty("access_token").GetString()!;
        var firstRefresh = first.GetProperty("refresh_token").GetString()!;
        using var refreshed = await RefreshAsync(identity, firstRefresh);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var secondAccess = (await refreshed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
        var gateways = GatewayClients();
        foreach (var client in gateways)
        {
            await AssertAcceptedAsync(client, "/api/orders/whoami", firstAccess);
            await AssertAcceptedAsync(client, "/api/orders/whoami", secondAccess);
        }

        var (latency, accepted) = await MeasureAsync(
            async () =>
            {
                using var reuse = await RefreshAsync(identity, firstRefresh);
                await AuthorizationCodeFlowEndToEndTests.AssertErrorAsync(reuse, HttpStatusCode.BadRequest, "invalid_grant");
            },
            gateways,
            ["/api/orders/whoami"],
            secondAccess);

        foreach (var client in gateways)
        {
            await AssertRejectedAsync(client, "/api/orders/whoami", firstAccess);
        }

        Report("family (refresh token reuse: every access token of the family)", [latency], accepted, gateways.Count);
        DisposeAll(gateways);
    }

    [Fact]
    public async Task SubjectRevoked_TokensIssuedBeforeAreRejected_LaterOnesAccepted()
    {
        // The IdP's admin endpoint (demo-client has AllowSubjectRevocation in the test system): revoked:sub:{sub} = now,
        // then {"type":"sub",...} on reference:revocations.
        var gateways = GatewayClients();
        var token = await fixture.GetTokenAsync("demo-client-b", "orders.read");
        foreach (var client in gateways)
        {
            await AssertAcceptedAsync(client, "/api/orders/whoami", token);
        }

        using var identity = fixture.App.CreateHttpClient("identity");
        var adminSecret = fixture.App.GetParameterValue("demo-client-secret");
        DateTimeOffset revokedAt = default;
        var (latency, accepted) = await MeasureAsync(
            async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/revocation/subject")
                {
                    Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["subject"] = "demo-client-b" }),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"demo-client:{Uri.EscapeDataString(adminSecret)}")));
                using var response = await identity.SendAsync(request);
                revokedAt = DateTimeOffset.UtcNow;
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            },
            gateways,
            ["/api/orders/whoami"],
            token);

        // Tokens issued in the revocation instant's second are revoked too: the next one must come from a later second.
        while (DateTimeOffset.UtcNow.ToUnixTimeSeconds() <= revokedAt.ToUnixTimeSeconds())
        {
            await Task.Delay(50);
        }

        var later = await fixture.GetTokenAsync("demo-client-b", "orders.read");
        foreach (var client in gateways)
        {
            await AssertAcceptedAsync(client, "/api/orders/whoami", later);
        }

        Report("sub (tokens issued at or before the instant)", [latency], accepted, gateways.Count);
        DisposeAll(gateways);
    }

    /// <summary>Every gateway replica the testing builder exposes (one today; all of them once it runs replicas).</summary>
    private List<HttpClient> GatewayClients() =>
        [.. fixture.App.GetEndpoints("gateway").Select(endpoint => new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = endpoint })];

    private static void DisposeAll(List<HttpClient> clients) => clients.ForEach(c => c.Dispose());

    /// <summary>
    /// Starts the clock, revokes, then sends requests through every instance and path until each is rejected. Returns the
    /// time from the start of the revocation to the last instance's first rejection, and how many requests sent after
    /// the revocation had returned were still accepted.
    /// </summary>
    private static async Task<(Latency Latency, int AcceptedAfterRevoke)> MeasureAsync(
        Func<Task> revoke, IReadOnlyList<HttpClient> gateways, IReadOnlyList<string> paths, string token)
    {
        var clock = Stopwatch.StartNew();
        await revoke();
        var returned = clock.Elapsed;
        var accepted = 0;
        var latest = TimeSpan.Zero;
        foreach (var gateway in gateways)
        {
            foreach (var path in paths)
            {
                while (true)
                {
                    using var response = await SendAsync(gateway, path, token);
                    if (response.StatusCode == HttpStatusCode.Unauthorized)
                    {
                        var challenge = response.Headers.WwwAuthenticate.ToString();
                        Assert.Contains("error=\"invalid_token\"", challenge, StringComparison.Ordinal);
                        latest = clock.Elapsed > latest ? clock.Elapsed : latest;
                        break;
                    }

                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    accepted++;
                    Assert.True(clock.Elapsed < SanityBound, $"{path} still accepted the revoked token {clock.Elapsed.TotalMilliseconds:F0} ms after the revocation started");
                    await Task.Delay(2);
                }
            }
        }

        return (new Latency(latest, latest - returned), accepted);
    }

    /// <summary>From the start of the revocation call, and from its return, to the last instance's first rejection.</summary>
    private readonly record struct Latency(TimeSpan FromRevokeStart, TimeSpan FromRevokeReturn);

    private void Report(string kind, List<Latency> latencies, int acceptedAfterRevoke, int instances)
    {
        var total = latencies.Select(l => l.FromRevokeStart.TotalMilliseconds).Order().ToList();
        var afterReturn = latencies.Select(l => l.FromRevokeReturn.TotalMilliseconds).Order().ToList();
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"revocation latency, {kind}: n={total.Count} gateway instances={instances}; revoke call start -> rejected p50={total[(total.Count - 1) / 2]:F1} ms max={total[^1]:F1} ms; revoke call returned -> rejected p50={afterReturn[(afterReturn.Count - 1) / 2]:F1} ms max={afterReturn[^1]:F1} ms; requests accepted after the call returned: {acceptedAfterRevoke}");
        output.WriteLine(line);
        Console.WriteLine(line);
    }

    /// <summary>Accepted, allowing a cold system's first exchange call to answer 503 (its timeout) a few times.</summary>
    private static async Task WarmAsync(HttpClient gateway, string path, string token)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await SendAsync(gateway, path, token);
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 10)
            {
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                return;
            }

            await Task.Delay(500);
        }
    }

    private static async Task AssertAcceptedAsync(HttpClient gateway, string path, string token)
    {
        using var response = await SendAsync(gateway, path, token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task AssertRejectedAsync(HttpClient gateway, string path, string token)
    {
        using var response = await SendAsync(gateway, path, token);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient gateway, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await gateway.SendAsync(request);
    }

    private static async Task RevokeAsync(HttpClient identity, string clientId, string secret, string token)
    {
        using var response = await OAuth.PostFormAsync(identity, "/connect/revocation", OAuth.Basic(clientId, secret), new Dictionary<string, string>
        {
            ["token"] = token,
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private Task<HttpResponseMessage> RefreshAsync(HttpClient identity, string refreshToken) =>
        OAuth.PostFormAsync(identity, "/connect/token", OAuth.Basic("demo-web", fixture.App.GetParameterValue("demo-web-secret")), new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
        });

    /// <summary>/bff/login → the IdP's login page → alice → /bff/callback → /bff/user.</summary>
    private async Task LogInThroughBffAsync(Browser browser, Uri gateway)
    {
        var start = new Uri(gateway, "/bff/login?returnUrl=/bff/user");
        using var toIdp = await browser.GetAsync(start);
        Assert.Equal(HttpStatusCode.Found, toIdp.StatusCode);
        var (loginPage, loginUrl) = await browser.FollowAsync(toIdp, start);
        var (user, _) = await browser.LogInAsync(loginPage, loginUrl, "alice", fixture.App.GetParameterValue("demo-user-password"));
        Assert.Equal(HttpStatusCode.OK, user.StatusCode);
    }

    /// <summary>demo-web's code flow with PKCE for alice; returns the token response.</summary>
    private async Task<JsonElement> AuthorizeDemoWebAsync(Browser browser, bool expectLogin)
    {
        var verifier = OAuth.RandomValue();
        var query = string.Join("&", new Dictionary<string, string>
        {
            ["response_type"] = "code",
            ["client_id"] = "demo-web",
            ["redirect_uri"] = DemoWebRedirectUri,
            ["scope"] = "openid offline_access orders.read",
            ["state"] = OAuth.RandomValue(),
            ["nonce"] = OAuth.RandomValue(),
            ["code_challenge"] = OAuth.Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))),
            ["code_challenge_method"] = "S256",
        }.Select(kv => $"{kv.Key}={Uri.EscapeDataString(kv.Value)}"));
        var authorizeUrl = new Uri(fixture.App.GetEndpoint("identity"), "/connect/authorize?" + query);
        Uri callback;
        if (expectLogin)
        {
            using var toLogin = await browser.GetAsync(authorizeUrl);
            var (loginPage, loginUrl) = await browser.FollowAsync(toLogin, authorizeUrl);
            var (redirect, _) = await browser.LogInAsync(
                loginPage, loginUrl, "alice", fixture.App.GetParameterValue("demo-user-password"), stopAt: u => u.Port == 5099);
            callback = redirect.Headers.Location!;
        }
        else
        {
            var (redirect, _) = await browser.FollowAsync(authorizeUrl, stopAt: u => u.Port == 5099);
            callback = redirect.Headers.Location!;
        }

        Assert.StartsWith(DemoWebRedirectUri + "?", callback.ToString(), StringComparison.Ordinal);
        using var identity = fixture.App.CreateHttpClient("identity");
        using var response = await OAuth.PostFormAsync(identity, "/connect/token", OAuth.Basic("demo-web", fixture.App.GetParameterValue("demo-web-secret")), new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = OAuth.Query(callback)["code"],
            ["redirect_uri"] = DemoWebRedirectUri,
            ["code_verifier"] = verifier,
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
