using System.Net;
using System.Net.Http.Headers;
using Reference.Gateway.Tests.Infrastructure;

namespace Reference.Gateway.Tests.TokenExchange;

/// <summary>Exchange mode: RFC 8693 at a fake token endpoint, what the downstream service receives, and every failure.</summary>
public sealed class TokenExchangeModeTests : IAsyncLifetime
{
    private const string Path = "/exchange/orders/7";

    private GatewayEnvironment _env = null!;

    private FakeTokenExchangeEndpoint ExchangeIdp { get; } = new();

    public async Task InitializeAsync()
    {
        await ExchangeIdp.StartAsync();
        _env = new GatewayEnvironment(new Dictionary<string, string?>
        {
            ["Gateway:TokenExchange:MetadataAddress"] = ExchangeIdp.MetadataAddress,
            ["Gateway:TokenExchange:ClientId"] = FakeTokenExchangeEndpoint.ClientId,
            ["Gateway:TokenExchange:ClientSecret"] = FakeTokenExchangeEndpoint.ClientSecret,
            ["ReverseProxy:Routes:exchange-orders:ClusterId"] = "orders",
            ["ReverseProxy:Routes:exchange-orders:Match:Path"] = "/exchange/orders/{**rest}",
            ["ReverseProxy:Routes:exchange-orders:Metadata:Auth.Policy"] = "jwt",
            ["ReverseProxy:Routes:exchange-orders:Metadata:Auth.Scopes"] = "orders.read",
            ["ReverseProxy:Routes:exchange-orders:Metadata:Propagation.Mode"] = "exchange",
            ["ReverseProxy:Routes:exchange-orders:Transforms:0:PathPattern"] = "/orders/{**rest}",
            ["ReverseProxy:Clusters:orders:Metadata:Propagation.DelegationScopes"] = "inventory.read inventory.write",
        });
        await _env.InitializeAsync();
    }

    [Fact]
    public async Task Exchange_ValidToken_ForwardsTheExchangedTokenAndReusesIt()
    {
        var original = _env.Idp.CreateToken();

        for (var i = 0; i < 3; i++)
        {
            using var response = await SendAsync(original);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(3, _env.Orders.Requests.Count);
        Assert.All(_env.Orders.Requests, r => Assert.Equal(["Bearer exchanged-1-orders-api"], r.Header("Authorization")));
        Assert.DoesNotContain(_env.Orders.Requests.SelectMany(r => r.Headers.Values).SelectMany(v => v), v => v.Contains(original, StringComparison.Ordinal));
        var form = Assert.Single(ExchangeIdp.Forms);
        Assert.Equal("urn:ietf:params:oauth:grant-type:token-exchange", form["grant_type"]);
        Assert.Equal(original, form["subject_token"]);
        Assert.Equal("urn:ietf:params:oauth:token-type:access_token", form["subject_token_type"]);
        Assert.Equal("orders-api", form["audience"]);
        Assert.Equal("orders.read", form["scope"]);
    }

    [Theory]
    [InlineData("orders.read inventory.read", "orders.read inventory.read")]
    [InlineData("orders.read inventory.read inventory.write", "orders.read inventory.read inventory.write")]
    [InlineData("orders.read orders.write", "orders.read")]
    public async Task Exchange_ClusterDelegationScopes_RequestedOnlyWhenTheCallerHoldsThem(string callerScopes, string requested)
    {
        using var response = await SendAsync(_env.Idp.CreateToken(scope: callerScopes));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(requested, Assert.Single(ExchangeIdp.Forms)["scope"]);
        Assert.Equal("orders-api", ExchangeIdp.Forms[0]["audience"]);
    }

    [Fact]
    public async Task Exchange_DifferentSubjectTokens_ExchangedSeparately()
    {
        using (var first = await SendAsync(_env.Idp.CreateToken()))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using (var second = await SendAsync(_env.Idp.CreateToken()))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        Assert.Equal(2, ExchangeIdp.Calls);
        Assert.Equal(["Bearer exchanged-2-orders-api"], _env.Orders.Requests[1].Header("Authorization"));
    }

    [Theory]
    [InlineData("invalid_scope", HttpStatusCode.Forbidden, "insufficient_scope")]
    [InlineData("invalid_target", HttpStatusCode.Forbidden, "access_denied")]
    [InlineData("unauthorized_client", HttpStatusCode.Forbidden, "access_denied")]
    [InlineData("invalid_request", HttpStatusCode.Unauthorized, "invalid_token")]
    public async Task Exchange_IdpRefuses_RejectedAndNothingForwarded(string idpError, HttpStatusCode status, string error)
    {
        ExchangeIdp.RefuseWith = idpError;

        using var response = await SendAsync(_env.Idp.CreateToken());

        await GatewayAssert.ErrorAsync(response, status, error);
        Assert.Empty(_env.Orders.Requests);
        Assert.Equal(1, ExchangeIdp.Calls);
    }

    [Fact]
    public async Task Exchange_IdpFailing_503WithRetryAfterThenBreakerOpens()
    {
        ExchangeIdp.Failing = true;

        for (var i = 0; i < 8; i++)
        {
            using var response = await SendAsync(_env.Idp.CreateToken());
            await GatewayAssert.ErrorAsync(response, HttpStatusCode.ServiceUnavailable, "temporarily_unavailable");
            Assert.NotNull(response.Headers.RetryAfter);
        }

        Assert.Empty(_env.Orders.Requests);
        Assert.InRange(ExchangeIdp.Calls, 5, 7);
    }

    public async Task DisposeAsync()
    {
        await _env.DisposeAsync();
        await ExchangeIdp.DisposeAsync();
    }

    private Task<HttpResponseMessage> SendAsync(string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return _env.Client.SendAsync(request);
    }
}
