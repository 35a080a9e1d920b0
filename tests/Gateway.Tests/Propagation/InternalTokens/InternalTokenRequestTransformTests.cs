using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Reference.Gateway.Authentication;
using Reference.Gateway.Propagation.InternalTokens;
using Reference.TestUtilities;
using Yarp.ReverseProxy.Transforms;

namespace Reference.Gateway.Tests.Propagation.InternalTokens;

public sealed class InternalTokenRequestTransformTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly InternalSigningKey _key = new(ECDsa.Create(ECCurve.NamedCurves.nistP256));
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly InternalTokenRequestTransform _transform;

    public InternalTokenRequestTransformTests() =>
        _transform = new InternalTokenRequestTransform(
            new InternalTokenCache(
                new InternalTokenIssuer(
                    InternalSigningKeyRing.Fixed(_key, _time),
                    Options.Create(new InternalTokenOptions()),
                    _time,
                    new GatewayTelemetry(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>())),
                Options.Create(new InternalTokenOptions()),
                _time),
            "orders-api",
            []);

    [Fact]
    public async Task Apply_NoAuthenticatedCaller_RefusesAndLeavesNoCredentials()
    {
        var context = Context("Bearer caller-token");

        await Assert.ThrowsAsync<InvalidOperationException>(() => _transform.ApplyAsync(context).AsTask());

        Assert.Null(context.ProxyRequest.Headers.Authorization);
    }

    [Fact]
    public async Task Apply_AuthenticatedCaller_ReplacesAuthorizationWithInternalToken()
    {
        var context = Context("Bearer caller-token");
        context.HttpContext.Features.Set(new AuthenticatedCaller(
            "svc", "client", ["orders.read"], null, "https://idp.test", _time.GetUtcNow().AddMinutes(10), "hash"));

        await _transform.ApplyAsync(context);

        var authorization = context.ProxyRequest.Headers.Authorization!;
        Assert.Equal("Bearer", authorization.Scheme);
        var token = new JsonWebToken(authorization.Parameter);
        Assert.Equal("orders-api", Assert.Single(token.Audiences));
        Assert.Equal("svc", token.Subject);
        Assert.Single(context.ProxyRequest.Headers.GetValues("Authorization"));
    }

    public void Dispose()
    {
        _key.Dispose();
        _services.Dispose();
    }

    private static RequestTransformContext Context(string inboundAuthorization)
    {
        var proxyRequest = new HttpRequestMessage(HttpMethod.Get, "http://orders/orders");
        proxyRequest.Headers.Authorization = AuthenticationHeaderValue.Parse(inboundAuthorization);
        return new RequestTransformContext
        {
            HttpContext = new DefaultHttpContext(),
            ProxyRequest = proxyRequest,
            Path = "/orders",
            DestinationPrefix = "http://127.0.0.1:5000",
        };
    }
}
