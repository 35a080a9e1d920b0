using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Reference.Gateway.Authentication;
using Reference.Gateway.Authentication.Jwt;
using Reference.Gateway.Tests.Infrastructure;

namespace Reference.Gateway.Tests.Authentication;

/// <summary>A cookie scheme stand-in: handles requests with a <c>fake</c> cookie; "good" authenticates.</summary>
internal sealed class FakeCookieScheme : IGatewayAuthenticationScheme
{
    public string Name => "fake";

    public bool CanHandle(HttpContext context) => context.Request.Cookies.ContainsKey("fake");

    public ValueTask<SchemeAuthenticationResult> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken) =>
        context.Request.Cookies["fake"] == "boom"
            ? throw new InvalidOperationException("The session store is down.")
            : ValueTask.FromResult(context.Request.Cookies["fake"] == "good"
            ? SchemeAuthenticationResult.Success(new AuthenticatedCaller("cookie-user", null, ["orders.read"], null, "urn:fake", DateTimeOffset.UtcNow.AddMinutes(5), "cookiehash01") { Scheme = Name })
            : SchemeAuthenticationResult.Failure(StatusCodes.Status401Unauthorized, "invalid_token", "The session is not valid.", "fake_rejected"));
}

/// <summary>An introspection stand-in: handles any bearer token; "opaque-good" authenticates, "opaque-down" is an outage.</summary>
internal sealed class FakeIntrospectionScheme : IGatewayAuthenticationScheme
{
    private int _calls;

    public string Name => "introspection";

    public int Calls => Volatile.Read(ref _calls);

    public bool CanHandle(HttpContext context) => context.Request.Headers.Authorization.Count > 0;

    public ValueTask<SchemeAuthenticationResult> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        var token = context.Request.Headers.Authorization.ToString()["Bearer ".Length..];
        return ValueTask.FromResult(token switch
        {
            "opaque-good" => SchemeAuthenticationResult.Success(
                new AuthenticatedCaller("opaque-user", "c", ["orders.read"], null, "urn:fake", DateTimeOffset.UtcNow.AddMinutes(5), "opaquehash01") { Scheme = Name }),
            "opaque-down" => SchemeAuthenticationResult.Failure(
                StatusCodes.Status503ServiceUnavailable, "temporarily_unavailable", "The introspection endpoint is unavailable.", "introspection_unavailable"),
            _ => SchemeAuthenticationResult.Failure(StatusCodes.Status401Unauthorized, "invalid_token", "The token is not active.", "inactive"),
        });
    }
}

public sealed class SchemeDispatchFixture : IAsyncLifetime
{
    internal FakeIntrospectionScheme Introspection { get; } = new();

    public GatewayEnvironment Env { get; }

    public SchemeDispatchFixture()
    {
        Env = new GatewayEnvironment(
            new Dictionary<string, string?>
            {
                ["ReverseProxy:Routes:dual:ClusterId"] = "orders",
                ["ReverseProxy:Routes:dual:Match:Path"] = "/api/dual/{**rest}",
                ["ReverseProxy:Routes:dual:Metadata:Auth.Policy"] = "fake jwt",
                ["ReverseProxy:Routes:dual:Metadata:Auth.Scopes"] = "orders.read",
                ["ReverseProxy:Routes:jwt-first:ClusterId"] = "orders",
                ["ReverseProxy:Routes:jwt-first:Match:Path"] = "/api/jwt-first/{**rest}",
                ["ReverseProxy:Routes:jwt-first:Metadata:Auth.Policy"] = "jwt introspection",
                ["ReverseProxy:Routes:intro-first:ClusterId"] = "orders",
                ["ReverseProxy:Routes:intro-first:Match:Path"] = "/api/intro-first/{**rest}",
                ["ReverseProxy:Routes:intro-first:Metadata:Auth.Policy"] = "introspection jwt",
            },
            configureServices: services =>
            {
                // Replace the introspection scheme with a stand-in and add a fake cookie scheme; the real session scheme
                // stays because the default configuration's routes name it.
                services.RemoveAll<IGatewayAuthenticationScheme>();
                services.AddSingleton<IGatewayAuthenticationScheme, JwtAuthenticationScheme>();
                services.AddSingleton<IGatewayAuthenticationScheme, Reference.Gateway.Authentication.Sessions.SessionAuthenticationScheme>();
                services.AddSingleton<IGatewayAuthenticationScheme, FakeCookieScheme>();
                services.AddSingleton<IGatewayAuthenticationScheme>(Introspection);
            });
    }

    public Task InitializeAsync() => Env.InitializeAsync();

    public Task DisposeAsync() => Env.DisposeAsync();
}

public sealed class SchemeDispatchTests(SchemeDispatchFixture fixture) : IClassFixture<SchemeDispatchFixture>
{
    private GatewayEnvironment Env => fixture.Env;

    [Fact]
    public async Task OrderedList_FirstSchemeHandles_Authenticates()
    {
        Env.ClearRecordings();

        using var response = await SendAsync("/api/dual/1", cookie: "good");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(Env.Orders.Requests);
    }

    [Fact]
    public async Task OrderedList_FirstSchemeFails_FinalNoFallThroughToValidBearer()
    {
        Env.ClearRecordings();

        using var response = await SendAsync("/api/dual/1", cookie: "forged", bearer: Env.Idp.CreateToken());

        await GatewayAssert.RejectedAsync(response, HttpStatusCode.Unauthorized, "invalid_token", Env.Orders);
    }

    [Fact]
    public async Task OrderedList_FirstCannotHandle_SecondAuthenticates()
    {
        Env.ClearRecordings();

        using var response = await SendAsync("/api/dual/1", bearer: Env.Idp.CreateToken());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(Env.Orders.Requests);
    }

    [Fact]
    public async Task OrderedList_NoSchemeCanHandle_Returns401BareChallenge()
    {
        Env.ClearRecordings();

        using var response = await SendAsync("/api/dual/1");

        await GatewayAssert.RejectedAsync(response, HttpStatusCode.Unauthorized, "missing_token", Env.Orders);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    [Fact]
    public async Task JwtThenIntrospection_OpaqueToken_HandledByIntrospection()
    {
        Env.ClearRecordings();

        using var response = await SendAsync("/api/jwt-first/1", bearer: "opaque-good");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(Env.Orders.Requests);
    }

    [Fact]
    public async Task JwtThenIntrospection_JwsShapedInvalidToken_RejectedByJwtNotIntrospected()
    {
        Env.ClearRecordings();
        var calls = fixture.Introspection.Calls;

        using var response = await SendAsync("/api/jwt-first/1", bearer: Env.Idp.CreateToken() + "x");

        await GatewayAssert.RejectedAsync(response, HttpStatusCode.Unauthorized, "invalid_token", Env.Orders);
        Assert.Equal(calls, fixture.Introspection.Calls);
    }

    [Fact]
    public async Task IntrospectionThenJwt_JwsToken_HandledByIntrospectionFirst()
    {
        Env.ClearRecordings();
        var calls = fixture.Introspection.Calls;

        using var response = await SendAsync("/api/intro-first/1", bearer: Env.Idp.CreateToken());

        await GatewayAssert.RejectedAsync(response, HttpStatusCode.Unauthorized, "invalid_token", Env.Orders);
        Assert.Equal(calls + 1, fixture.Introspection.Calls);
    }

    [Fact]
    public async Task SchemeDependencyDown_Returns503WithoutChallenge()
    {
        Env.ClearRecordings();

        using var response = await SendAsync("/api/jwt-first/1", bearer: "opaque-down");

        await GatewayAssert.RejectedAsync(response, HttpStatusCode.ServiceUnavailable, "temporarily_unavailable", Env.Orders);
        Assert.Empty(response.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task SchemeThrows_Returns503TemporarilyUnavailable_Never500()
    {
        Env.ClearRecordings();

        using var response = await SendAsync("/api/dual/1", cookie: "boom", bearer: Env.Idp.CreateToken());

        await GatewayAssert.RejectedAsync(response, HttpStatusCode.ServiceUnavailable, "temporarily_unavailable", Env.Orders);
    }

    [Fact]
    public async Task OrderedList_SchemeWithoutRequiredScope_Returns403()
    {
        Env.ClearRecordings();

        using var response = await SendAsync("/api/dual/1", bearer: Env.Idp.CreateToken(scope: "inventory.read"));

        await GatewayAssert.RejectedAsync(response, HttpStatusCode.Forbidden, "insufficient_scope", Env.Orders);
    }

    [Theory]
    [InlineData("a.b.c", true)]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.e30.c2ln", true)]
    [InlineData("opaque-token", false)]
    [InlineData("a.b", false)]
    [InlineData("a.b.c.d.e", false)]
    [InlineData(".b.c", false)]
    [InlineData("a..c", false)]
    [InlineData("a.b.", false)]
    public void IsJwsShaped_CompactSerializationOnly(string token, bool expected) =>
        Assert.Equal(expected, JwtAuthenticationScheme.IsJwsShaped(token));

    private async Task<HttpResponseMessage> SendAsync(string path, string? cookie = null, string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", $"fake={cookie}");
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return await Env.Client.SendAsync(request);
    }
}
