extern alias orders;

using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Reference.TestUtilities;

namespace Reference.SampleServices.Tests.Orders;

/// <summary>
/// Orders.Api behind the gateway's headers mode (cluster orders-trusted): X-User-* headers identify the caller only
/// on a request without Authorization from TrustedHeaders:GatewayNetworks; a token request never falls back to them.
/// </summary>
public sealed class OrdersTrustedHeadersTests : IAsyncLifetime, IDisposable
{
    private readonly InternalTokenTestSigner _signer = new("gateway-internal-1");
    private readonly FakeTimeProvider _time = new();
    private JwksStubServer _jwks = null!;

    public async Task InitializeAsync() => _jwks = await JwksStubServer.StartAsync(InternalTokenTestSigner.Jwks(_signer));

    public async Task DisposeAsync() => await _jwks.DisposeAsync();

    public void Dispose() => _signer.Dispose();

    [Fact]
    public async Task Headers_FromGatewayNetwork_ListsTheTenantsOrdersAndWhoAmIShowsThem()
    {
        await using var orders = Orders("127.0.0.1");
        using var client = orders.CreateClient();

        using var list = await client.SendAsync(WithHeaders("/orders/", "tenant-a"));
        using var whoami = await client.SendAsync(WithHeaders("/orders/whoami", "tenant-a"));

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.All((await list.JsonAsync()).EnumerateArray(), o => Assert.StartsWith("ord-a-", o.GetProperty("id").GetString(), StringComparison.Ordinal));
        var body = await whoami.JsonAsync();
        Assert.Equal("alice", body.GetProperty("subject").GetString());
        Assert.Equal("tenant-a", body.GetProperty("tenantId").GetString());
        Assert.Equal("trusted-headers", body.GetProperty("tokenType").GetString());
    }

    [Fact]
    public async Task Headers_OtherTenantsOrder_Returns404()
    {
        await using var orders = Orders("127.0.0.1");
        using var client = orders.CreateClient();

        using var response = await client.SendAsync(WithHeaders("/orders/ord-b-2001", "tenant-a"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Headers_FromOutsideTheGatewayNetwork_Returns401UntrustedSource()
    {
        await using var orders = Orders("192.0.2.10");
        using var client = orders.CreateClient();

        using var response = await client.SendAsync(WithHeaders("/orders/", "tenant-a"));

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "untrusted_source");
    }

    [Fact]
    public async Task Headers_WithAForgedBearer_Returns401InvalidToken()
    {
        await using var orders = Orders("127.0.0.1");
        using var client = orders.CreateClient();
        using var request = WithHeaders("/orders/", "tenant-a");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "forged");

        using var response = await client.SendAsync(request);

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task Stock_HeadersMode_Returns424DelegationUnavailable()
    {
        await using var orders = Orders("127.0.0.1");
        using var client = orders.CreateClient();

        using var response = await client.SendAsync(WithHeaders("/orders/ord-a-1001/stock", "tenant-a"));

        await AssertErrorAsync(response, HttpStatusCode.FailedDependency, "delegation_unavailable");
    }

    private SampleServiceFactory<orders::Program> Orders(string remoteAddress) =>
        new(_jwks.JwksUri, _time, new Dictionary<string, string?> { ["TrustedHeaders:GatewayNetworks:0"] = "127.0.0.1/32" },
            services => services.AddSingleton<IStartupFilter>(new RemoteAddressFilter(IPAddress.Parse(remoteAddress))));

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(error, (await response.JsonAsync()).GetProperty("error").GetString());
    }

    private static HttpRequestMessage WithHeaders(string path, string tenant)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-User-Id", "alice");
        request.Headers.Add("X-Tenant-Id", tenant);
        request.Headers.Add("X-Token-Scopes", "orders.read");
        return request;
    }

    /// <summary>TestServer connections have no remote address: this one sets it, as Kestrel would.</summary>
    private sealed class RemoteAddressFilter(IPAddress address) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((HttpContext context, RequestDelegate nextDelegate) =>
            {
                context.Connection.RemoteIpAddress = address;
                return nextDelegate(context);
            });
            next(app);
        };
    }
}
