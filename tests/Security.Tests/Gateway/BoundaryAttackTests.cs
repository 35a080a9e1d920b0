using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Reference.Security.Tests.Infrastructure;
using static Reference.Security.Tests.Infrastructure.TokenForge;

namespace Reference.Security.Tests.Gateway;

/// <summary>
/// The gateway as a trust boundary, against the running system: where the token may come from (RFC 6750 §2), spoofed
/// identity, tenant, Host and forwarded headers, cross-tenant access, tokens of the wrong kind at the edge, and
/// request smuggling. Every refused request is checked to have reached nothing downstream.
/// </summary>
[Collection(SecuritySystemGroup.Name)]
public sealed class BoundaryAttackTests(SecuritySystemFixture fixture)
{
    private string? _token;

    private async Task<string> TenantAToken() => _token ??= await fixture.GetTokenAsync("demo-client", "orders.read");

    public static TheoryData<string> CredentialPlacementCases =>
    [
        "query-only", "query-and-header", "empty-bearer", "bearer-only-spaces", "empty-query-token",
    ];

    [Theory]
    [MemberData(nameof(CredentialPlacementCases))]
    public async Task JwtRoute_TokenInQueryTwiceOrEmpty_Returns400InvalidRequestAndStubSeesNothing(string caseId)
    {
        var token = await TenantAToken();
        var marker = SecuritySystemFixture.Marker(caseId);
        var path = $"/sec/jwt/{marker}";
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        switch (caseId)
        {
            case "query-only":
                request.RequestUri = new Uri($"{path}?access_token={token}", UriKind.Relative);
                break;
            case "query-and-header":
                request.RequestUri = new Uri($"{path}?access_token={token}", UriKind.Relative);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                break;
            case "empty-bearer":
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer");
                break;
            case "bearer-only-spaces":
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer    ");
                break;
            default:
                request.RequestUri = new Uri($"{path}?x=1&access_token=", UriKind.Relative);
                break;
        }

        using var response = await fixture.SendToGatewayAsync(request);

        await SecuritySystemFixture.AssertGatewayErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Contains("error=\"invalid_request\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Empty(fixture.Stub.RequestsFor(marker));
    }

    [Theory]
    [InlineData("none", null)]
    [InlineData("basic", "Basic ZGVtby1jbGllbnQ6c2VjcmV0")]
    [InlineData("bearer-without-space", "BearerX")]
    [InlineData("digest", "Digest username=\"admin\"")]
    public async Task JwtRoute_NoBearerCredentials_Returns401BareChallengeAndStubSeesNothing(string caseId, string? authorization)
    {
        var marker = SecuritySystemFixture.Marker("no-credentials-" + caseId);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/sec/jwt/{marker}");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await fixture.SendToGatewayAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Null(challenge.Parameter);
        Assert.Equal("missing_token", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Empty(fixture.Stub.RequestsFor(marker));
    }

    [Fact]
    public async Task JwtRoute_AuthorizationHeaderBeyondKestrelLimit_Returns431AndStubSeesNothing()
    {
        var marker = SecuritySystemFixture.Marker("oversize-authorization-header");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/sec/jwt/{marker}");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + new string('A', 40_000));

        using var response = await fixture.SendToGatewayAsync(request);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        Assert.Empty(fixture.Stub.RequestsFor(marker));
    }

    [Fact]
    public async Task JwtRoute_InsufficientScope_Returns403AndStubSeesNothing()
    {
        var token = await fixture.GetTokenAsync("demo-client", "inventory.read");
        var marker = SecuritySystemFixture.Marker("insufficient-scope");

        using var response = await SendAsync($"/sec/jwt/{marker}", token);

        await SecuritySystemFixture.AssertGatewayErrorAsync(response, HttpStatusCode.Forbidden, "insufficient_scope");
        Assert.Empty(fixture.Stub.RequestsFor(marker));
    }

    [Fact]
    public async Task JwtRoute_SpoofedIdentityHeadersInEveryCase_NeverReachDownstream()
    {
        var token = await TenantAToken();
        var marker = SecuritySystemFixture.Marker("spoofed-identity");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/sec/jwt/{marker}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        string[] spoofed =
        [
            "X-User-Id", "x-user-id", "X-USER-EMAIL", "X-User-Roles", "x-org-id", "X-Token-Issuer", "X-Token-Scopes",
            "X-Token-Expires", "X-Internal-Token", "x-INTERNAL-token",
        ];
        foreach (var name in spoofed)
        {
            request.Headers.TryAddWithoutValidation(name, new[] { "spoofed-admin", "spoofed-root" });
        }

        using var response = await fixture.SendToGatewayAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(fixture.Stub.RequestsFor(marker));
        Assert.DoesNotContain(seen.Headers, h => h.Value.Any(v => v.Contains("spoofed", StringComparison.Ordinal)));
        Assert.Empty(seen.Header("x-internal-token"));
        var internalToken = Assert.Single(seen.Header("authorization"));
        Assert.StartsWith("Bearer ", internalToken, StringComparison.Ordinal);
        using var claims = JsonDocument.Parse(SecuritySystemFixture.Base64UrlJson(internalToken[7..].Split('.')[1]));
        Assert.Equal("demo-client", claims.RootElement.GetProperty("sub").GetString());
        Assert.Equal("tenant-a", claims.RootElement.GetProperty("tenant_id").GetString());
    }

    [Fact]
    public async Task JwtRoute_InternalTokenReplayedAtTheEdge_Returns401AndStubSeesNothing()
    {
        var token = await TenantAToken();
        var first = SecuritySystemFixture.Marker("internal-token-capture");
        using (var response = await SendAsync($"/sec/jwt/{first}", token))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var internalToken = Assert.Single(Assert.Single(fixture.Stub.RequestsFor(first)).Header("authorization"))[7..];
        var marker = SecuritySystemFixture.Marker("internal-token-at-edge");

        using var replay = await SendAsync($"/sec/jwt/{marker}", internalToken);

        await SecuritySystemFixture.AssertGatewayErrorAsync(replay, HttpStatusCode.Unauthorized, "invalid_token");
        Assert.Empty(fixture.Stub.RequestsFor(marker));
    }

    public static TheoryData<string, string, HttpStatusCode, string> TenantCases => new()
    {
        // case id, how the tenant is named, expected status, expected error
        { "header-other-tenant", "header:tenant-b", HttpStatusCode.Forbidden, "tenant_mismatch" },
        { "header-two-values", "header:tenant-a,tenant-b", HttpStatusCode.BadRequest, "tenant_not_identified" },
        { "header-two-lines", "headers:tenant-a|tenant-a", HttpStatusCode.BadRequest, "tenant_not_identified" },
        { "header-unknown-tenant", "header:tenant-zzz", HttpStatusCode.NotFound, "tenant_not_found" },
        { "header-traversal", "header:../tenant-b", HttpStatusCode.NotFound, "tenant_not_found" },
        { "host-other-tenant", "host:tenant-b.gateway.localhost", HttpStatusCode.Forbidden, "tenant_mismatch" },
        { "host-unknown-tenant", "host:tenant-zzz.gateway.localhost", HttpStatusCode.NotFound, "tenant_not_found" },
        { "path-other-tenant", "path:tenant-b", HttpStatusCode.Forbidden, "tenant_mismatch" },
        { "path-unknown-tenant", "path:tenant-zzz", HttpStatusCode.NotFound, "tenant_not_found" },
        { "path-tenant-case", "path:TENANT-A", HttpStatusCode.NotFound, "tenant_not_found" },
    };

    [Theory]
    [MemberData(nameof(TenantCases))]
    public async Task TenantResolution_SpoofedOrCrossTenant_RefusedAndStubSeesNothing(string caseId, string naming, HttpStatusCode status, string error)
    {
        var token = await TenantAToken();
        var marker = SecuritySystemFixture.Marker(caseId);
        var (kind, value) = (naming[..naming.IndexOf(':', StringComparison.Ordinal)], naming[(naming.IndexOf(':', StringComparison.Ordinal) + 1)..]);
        var path = kind == "path" ? $"/tenants/{value}/sec/{marker}" : $"/sec/jwt/{marker}";
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        switch (kind)
        {
            case "header":
                request.Headers.TryAddWithoutValidation("X-Tenant-ID", value);
                break;
            case "headers":
                request.Headers.TryAddWithoutValidation("X-Tenant-ID", value.Split('|'));
                break;
            case "host":
                request.Headers.Host = $"{value}:{fixture.Gateway.Port}";
                break;
        }

        using var response = await fixture.SendToGatewayAsync(request);

        await SecuritySystemFixture.AssertGatewayErrorAsync(response, status, error);
        Assert.Empty(fixture.Stub.RequestsFor(marker));
    }

    [Theory]
    [InlineData("x-forwarded-host", "X-Forwarded-Host", "tenant-b.gateway.localhost")]
    [InlineData("forwarded", "Forwarded", "host=tenant-b.gateway.localhost;proto=https")]
    [InlineData("host-outside-allow-list", "Host", "tenant-b.attacker.example")]
    public async Task TenantResolution_ForwardedOrForeignHostFromUntrustedClient_IsIgnored(string caseId, string header, string value)
    {
        // Not from a known proxy, so the forwarded host never reaches Request.Host, and a Host outside the allow-list names
        // no tenant: the token's own tenant applies and the request goes through as tenant-a.
        var token = await TenantAToken();
        var marker = SecuritySystemFixture.Marker(caseId);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/sec/jwt/{marker}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "10.9.8.7");
        if (header == "Host")
        {
            request.Headers.Host = value;
        }
        else
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        using var response = await fixture.SendToGatewayAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = Assert.Single(fixture.Stub.RequestsFor(marker));
        using var claims = JsonDocument.Parse(SecuritySystemFixture.Base64UrlJson(seen.Header("authorization")[0][7..].Split('.')[1]));
        Assert.Equal("tenant-a", claims.RootElement.GetProperty("tenant_id").GetString());
    }

    [Fact]
    public async Task Orders_TenantBReadsTenantAOrderById_Returns404()
    {
        using var gateway = fixture.App.CreateHttpClient("gateway");
        using var list = await SendAsync("/api/orders", await TenantAToken());
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        var orders = await list.Content.ReadFromJsonAsync<JsonElement>();
        var id = orders.EnumerateArray().First().GetProperty("id").GetString()!;
        using var own = await SendAsync($"/api/orders/{id}", await TenantAToken());
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);

        using var cross = await SendAsync($"/api/orders/{id}", await fixture.GetTokenAsync("demo-client-b", "orders.read"));

        Assert.Equal(HttpStatusCode.NotFound, cross.StatusCode);
        Assert.DoesNotContain(id, await cross.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    public static TheoryData<string> ServiceTokenCases => ["none", "idp-access-token", "forged-internal-token", "internal-token-wrong-audience"];

    [Theory]
    [MemberData(nameof(ServiceTokenCases))]
    public async Task Orders_DirectCallWithoutAValidInternalToken_Returns401(string caseId)
    {
        string? token = caseId switch
        {
            "idp-access-token" => await TenantAToken(),
            "forged-internal-token" => ForgedInternalToken("orders-api"),
            "internal-token-wrong-audience" => await CapturedInternalTokenAsync(),
            _ => null,
        };
        using var orders = fixture.App.CreateHttpClient(caseId == "internal-token-wrong-audience" ? "inventory" : "orders");
        using var request = new HttpRequestMessage(HttpMethod.Get, caseId == "internal-token-wrong-audience" ? "/inventory/items" : "/orders/whoami");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await orders.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(token is null ? "missing_token" : "invalid_token", body.GetProperty("error").GetString());
        if (token is not null)
        {
            Assert.Contains("error=\"invalid_token\"", challenge.Parameter, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task JwtRoute_TwoAuthorizationHeaderLines_Returns400InvalidRequestAndStubSeesNothing()
    {
        var token = await TenantAToken();
        var marker = SecuritySystemFixture.Marker("two-authorization-headers");

        var response = await SendRawAsync(
            $"GET /sec/jwt/{marker} HTTP/1.1\r\nHost: {fixture.GatewayReplica.Authority}\r\nAuthorization: Bearer {token}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n",
            wholeResponse: true);

        Assert.StartsWith("HTTP/1.1 400", response, StringComparison.Ordinal);
        Assert.Contains("WWW-Authenticate: Bearer error=\"invalid_request\"", response, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\"error\":\"invalid_request\"", response, StringComparison.Ordinal);
        Assert.Empty(fixture.Stub.RequestsFor(marker));
    }

    [Fact]
    public async Task JwtRoute_TwoTokensOnOneAuthorizationLine_Returns401MalformedAndStubSeesNothing()
    {
        var token = await TenantAToken();
        var marker = SecuritySystemFixture.Marker("two-tokens-one-line");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/sec/jwt/{marker}");
        request.Headers.TryAddWithoutValidation("Authorization", new[] { "Bearer " + token, "Bearer " + token });

        using var response = await fixture.SendToGatewayAsync(request);

        await SecuritySystemFixture.AssertGatewayErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_token", "The token is not a well-formed signed JWT.");
        Assert.Empty(fixture.Stub.RequestsFor(marker));
    }

    public static TheoryData<string, string> SmugglingCases => new()
    {
        // Both framings: Kestrel processes the body as chunked and drops Content-Length (RFC 9112 §6.1); the pipelined
        // request that follows is a request of its own and is authenticated like any other (401 here).
        { "cl-and-te", "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET {path2} HTTP/1.1\r\nHost: {host}\r\n\r\n" },
        { "te-not-chunked-last", "POST {path} HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n" },
        { "duplicate-content-length", "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\nGET {path2} HTTP/1.1\r\nHost: {host}\r\n\r\n" },
        { "space-before-colon", "GET {path} HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding : chunked\r\n\r\n" },
        { "obs-fold", "GET {path} HTTP/1.1\r\nHost: {host}\r\nX-Test: a\r\n b\r\n\r\n" },
        { "nul-in-header", "GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer a\0b\r\n\r\n" },
        { "no-host", "GET {path} HTTP/1.1\r\n\r\n" },
        { "two-hosts", "GET {path} HTTP/1.1\r\nHost: {host}\r\nHost: tenant-b.gateway.localhost\r\n\r\n" },
        { "absolute-form-other-host", "GET http://tenant-b.gateway.localhost{path} HTTP/1.1\r\nHost: {host}\r\n\r\n" },
    };

    [Theory]
    [MemberData(nameof(SmugglingCases))]
    public async Task Kestrel_AmbiguousFraming_Returns400AndStubSeesNothing(string caseId, string template)
    {
        var marker = SecuritySystemFixture.Marker(caseId);
        var smuggled = SecuritySystemFixture.Marker(caseId + "-smuggled");
        var raw = template.Replace("{path}", $"/sec/jwt/{marker}", StringComparison.Ordinal)
            .Replace("{path2}", $"/sec/jwt/{smuggled}", StringComparison.Ordinal)
            .Replace("{host}", fixture.Gateway.Authority, StringComparison.Ordinal);

        var statusLine = await SendRawAsync(raw);

        Assert.StartsWith(caseId == "cl-and-te" ? "HTTP/1.1 401" : "HTTP/1.1 400", statusLine, StringComparison.Ordinal);
        Assert.Empty(fixture.Stub.RequestsFor(marker));
        Assert.Empty(fixture.Stub.RequestsFor(smuggled));
    }

    private async Task<string> SendRawAsync(string raw, bool wholeResponse = false)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(fixture.GatewayReplica.Host, fixture.GatewayReplica.Port);
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(raw));
        using var reader = new StreamReader(stream, Encoding.Latin1);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return wholeResponse ? await reader.ReadToEndAsync(cts.Token) : await reader.ReadLineAsync(cts.Token) ?? "";
    }

    private async Task<HttpResponseMessage> SendAsync(string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        return await fixture.SendToGatewayAsync(request);
    }

    /// <summary>An internal token the gateway minted for orders-api, captured at the stub.</summary>
    private async Task<string> CapturedInternalTokenAsync()
    {
        var marker = SecuritySystemFixture.Marker("capture");
        using var response = await SendAsync($"/sec/jwt/{marker}", await TenantAToken());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Assert.Single(fixture.Stub.RequestsFor(marker)).Header("authorization")[0][7..];
    }

    /// <summary>The gateway's internal token shape, signed by a key the gateway never had.</summary>
    private static string ForgedInternalToken(string audience)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = DateTimeOffset.UtcNow;
        var payload = $$"""{"iss":"urn:reference:gateway","sub":"admin","aud":"{{audience}}","scope":"orders.read orders.write","tenant_id":"tenant-a","iat":{{Unix(now)}},"nbf":{{Unix(now)}},"exp":{{Unix(now.AddMinutes(5))}},"jti":"{{Guid.NewGuid():N}}"}""";
        return SignEs256(SigningInput("""{"alg":"ES256","typ":"internal+jwt","kid":"forged"}""", payload), key);
    }
}
