using System.Net;
using Reference.Gateway.Tests.Infrastructure;

namespace Reference.Gateway.Tests.Authentication;

/// <summary>Every error the gateway answers carries the request id, in the body and the X-Request-Id header.</summary>
public sealed class ErrorResponseTests(GatewayEnvironment env) : IClassFixture<GatewayEnvironment>
{
    [Theory]
    [InlineData("abc-123")]
    [InlineData("01J9Z3V6Q8.req:7_x")]
    public async Task WellFormedRequestId_EchoedInBodyAndHeader(string requestId)
    {
        env.ClearRecordings();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/1");
        request.Headers.TryAddWithoutValidation("X-Request-Id", requestId);

        using var response = await env.Client.SendAsync(request);

        Assert.Equal(requestId, await GatewayAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, "missing_token"));
        Assert.Empty(env.Orders.Requests);
    }

    [Theory]
    [InlineData("has spaces")]
    [InlineData("quote\"inside")]
    [InlineData("<script>")]
    public async Task MalformedRequestId_ReplacedByTraceId(string requestId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/1?access_token=x");
        request.Headers.TryAddWithoutValidation("X-Request-Id", requestId);

        using var response = await env.Client.SendAsync(request);

        var echoed = await GatewayAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.NotEqual(requestId, echoed);
        Assert.Matches("^[A-Za-z0-9:._-]+$", echoed);
    }

    [Fact]
    public async Task OversizeRequestId_ReplacedByTraceId()
    {
        var requestId = new string('a', 129);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/1");
        request.Headers.TryAddWithoutValidation("X-Request-Id", requestId);

        using var response = await env.Client.SendAsync(request);

        Assert.NotEqual(requestId, await GatewayAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, "missing_token"));
    }

    [Fact]
    public async Task NoRequestId_TraceIdUsed_DistinctPerRequest()
    {
        using var first = await env.Client.GetAsync("/api/orders/1");
        using var second = await env.Client.GetAsync("/api/orders/1");

        var a = await GatewayAssert.ErrorAsync(first, HttpStatusCode.Unauthorized, "missing_token");
        var b = await GatewayAssert.ErrorAsync(second, HttpStatusCode.Unauthorized, "missing_token");
        Assert.NotEqual(a, b);
    }
}
