using System.Net;
using System.Net.Http.Headers;
using Microsoft.IdentityModel.JsonWebTokens;
using Reference.Gateway.Tests.Infrastructure;

namespace Reference.Gateway.Tests.Propagation;

/// <summary>The environment for <see cref="PropagationModeTests"/>: a trusted headers-mode cluster and a pass-through route.</summary>
public sealed class PropagationModeEnvironment() : IAsyncLifetime
{
    public GatewayEnvironment Env { get; } = new(new Dictionary<string, string?>
    {
        ["ReverseProxy:Clusters:orders-trusted:Destinations:orders:Address"] = "http://orders",
        ["ReverseProxy:Clusters:orders-trusted:Metadata:Network.Trusted"] = "true",
        ["ReverseProxy:Clusters:orders-trusted:Metadata:Propagation.Mode"] = "headers",
        ["ReverseProxy:Routes:headers-orders:ClusterId"] = "orders-trusted",
        ["ReverseProxy:Routes:headers-orders:Match:Path"] = "/headers/orders/{**rest}",
        ["ReverseProxy:Routes:headers-orders:Metadata:Auth.Policy"] = "jwt",
        ["ReverseProxy:Routes:headers-orders:Metadata:Auth.Scopes"] = "orders.read",
        ["ReverseProxy:Routes:headers-orders:Transforms:0:PathPattern"] = "/orders/{**rest}",
        ["ReverseProxy:Routes:passthrough-orders:ClusterId"] = "orders",
        ["ReverseProxy:Routes:passthrough-orders:Match:Path"] = "/passthrough/orders/{**rest}",
        ["ReverseProxy:Routes:passthrough-orders:Metadata:Auth.Policy"] = "jwt",
        ["ReverseProxy:Routes:passthrough-orders:Metadata:Auth.Scopes"] = "orders.read",
        ["ReverseProxy:Routes:passthrough-orders:Metadata:Propagation.Mode"] = "pass-through",
        ["ReverseProxy:Routes:passthrough-orders:Transforms:0:PathPattern"] = "/orders/{**rest}",
    });

    public Task InitializeAsync() => Env.InitializeAsync();

    public Task DisposeAsync() => Env.DisposeAsync();
}

/// <summary>What the downstream service receives in each propagation mode, and that clients cannot spoof it.</summary>
public sealed class PropagationModeTests(PropagationModeEnvironment fixture) : IClassFixture<PropagationModeEnvironment>
{
    private static readonly string[] SpoofedHeaders =
        ["X-User-Id", "X-User-Email", "X-User-Roles", "X-Tenant-Id", "X-Token-Scopes", "X-Token-Expires", "X-Internal-Token"];

    private GatewayEnvironment Env => fixture.Env;

    [Fact]
    public async Task HeadersMode_ValidToken_ForwardsIdentityHeadersWithoutAuthorization()
    {
        Env.ClearRecordings();
        var token = Env.Idp.CreateToken(editPayload: p =>
        {
            p["email"] = "demo@example.test";
            p["exp"] = 4_102_444_800L;
        });

        using var response = await SendAsync("/headers/orders/7", token, spoof: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(Env.Orders.Requests);
        Assert.Equal("/orders/7", received.Path);
        Assert.Empty(received.Header("Authorization"));
        Assert.Equal(["demo-client"], received.Header("X-User-Id"));
        Assert.Equal(["demo@example.test"], received.Header("X-User-Email"));
        Assert.Equal(["tenant-a"], received.Header("X-Tenant-Id"));
        Assert.DoesNotContain("admin", received.Headers.Values.SelectMany(v => v));
        Assert.Equal(["orders.read"], received.Header("X-Token-Scopes"));
        Assert.Equal(["4102444800"], received.Header("X-Token-Expires"));
        Assert.Empty(received.Header("X-User-Roles"));
        Assert.Empty(received.Header("X-Internal-Token"));
    }

    [Fact]
    public async Task PassThroughMode_ValidToken_ForwardsTheOriginalTokenUnchanged()
    {
        Env.ClearRecordings();
        var token = Env.Idp.CreateToken();

        using var response = await SendAsync("/passthrough/orders/7", token, spoof: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(Env.Orders.Requests);
        Assert.Equal(["Bearer " + token], received.Header("Authorization"));
        foreach (var header in SpoofedHeaders)
        {
            Assert.Empty(received.Header(header));
        }
    }

    [Fact]
    public async Task InternalTokenMode_SpoofedHeaders_StrippedAndScopeLimitedToRoute()
    {
        Env.ClearRecordings();

        using var response = await SendAsync("/api/orders/7", Env.Idp.CreateToken(), spoof: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(Env.Orders.Requests);
        foreach (var header in SpoofedHeaders)
        {
            Assert.Empty(received.Header(header));
        }

        var token = new JsonWebToken(Assert.Single(received.Header("Authorization"))["Bearer ".Length..]);
        Assert.Equal("orders.read", token.GetClaim("scope").Value);
        Assert.Equal("orders-api", Assert.Single(token.Audiences));
    }

    [Fact]
    public async Task InternalTokenMode_SameTokenManyRequests_OneMintedTokenReused()
    {
        Env.ClearRecordings();
        var token = Env.Idp.CreateToken();

        for (var i = 0; i < 5; i++)
        {
            using var response = await SendAsync("/api/orders/7", token, spoof: false);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Single(Env.Orders.Requests.Select(r => Assert.Single(r.Header("Authorization"))).Distinct());
    }

    [Theory]
    [InlineData("/api/orders/1")]
    [InlineData("/headers/orders/1")]
    [InlineData("/passthrough/orders/1")]
    [InlineData("/api/public/1")]
    public async Task AnyMode_WellFormedRequestIds_ForwardedAsIs(string path)
    {
        Env.ClearRecordings();
        using var request = Request(path, Env.Idp.CreateToken(), spoof: false);
        request.Headers.Add("X-Request-Id", "req-123.abc:def_9");
        request.Headers.Add("X-Correlation-Id", "corr-456");

        using var response = await Env.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(Env.Orders.Requests);
        Assert.Equal(["req-123.abc:def_9"], received.Header("X-Request-Id"));
        Assert.Equal(["corr-456"], received.Header("X-Correlation-Id"));
    }

    [Theory]
    [InlineData("/api/orders/1", "has space")]
    [InlineData("/headers/orders/1", "<script>")]
    [InlineData("/passthrough/orders/1", "")]
    [InlineData("/api/public/1", "x")]
    public async Task AnyMode_MalformedOrMissingRequestIds_ReplacedByGeneratedIds(string path, string malformed)
    {
        Env.ClearRecordings();
        using var request = Request(path, Env.Idp.CreateToken(), spoof: false);
        var tooLong = new string('a', 129);
        request.Headers.TryAddWithoutValidation("X-Request-Id", malformed == "x" ? tooLong : malformed);
        request.Headers.TryAddWithoutValidation("X-Correlation-Id", malformed == "x" ? tooLong : malformed);

        using var response = await Env.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(Env.Orders.Requests);
        var requestId = Assert.Single(received.Header("X-Request-Id"));
        var correlationId = Assert.Single(received.Header("X-Correlation-Id"));
        Assert.Matches("^[A-Za-z0-9._:-]{1,128}$", requestId);
        Assert.Equal(requestId, correlationId);
    }

    private Task<HttpResponseMessage> SendAsync(string path, string token, bool spoof) => Env.Client.SendAsync(Request(path, token, spoof));

    private static HttpRequestMessage Request(string path, string token, bool spoof)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (spoof)
        {
            foreach (var header in SpoofedHeaders)
            {
                // X-Tenant-Id doubles as the tenant selector (it must agree with the token), so it is spoofed with the token's tenant.
                request.Headers.TryAddWithoutValidation(header, header == "X-Tenant-Id" ? "tenant-a" : "admin");
            }
        }

        return request;
    }
}
