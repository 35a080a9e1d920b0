using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Reference.TestUtilities;

namespace Reference.ServiceDefaults.Tests.TrustedHeaders;

/// <summary>
/// A service accepting both gateway tokens and the headers mode (<c>AddInternalTokenValidation()</c> then
/// <c>AddTrustedHeaderIdentity()</c>, as Orders.Api does): a request with an Authorization header is always a token
/// request; identity headers count only on a request without one, from the gateway's network.
/// </summary>
public sealed class TokensAndTrustedHeadersTests : IAsyncLifetime, IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly InternalTokenTestSigner _signer = new("gateway-key-1");
    private JwksStubServer _jwks = null!;

    public async Task InitializeAsync() => _jwks = await JwksStubServer.StartAsync(InternalTokenTestSigner.Jwks(_signer));

    public async Task DisposeAsync() => await _jwks.DisposeAsync();

    public void Dispose() => _signer.Dispose();

    private async Task<ServiceHost> StartAsync(string gatewayNetwork)
    {
        var configuration = ServiceHost.TokenConfiguration(_jwks);
        configuration["TrustedHeaders:GatewayNetworks:0"] = gatewayNetwork;
        return await ServiceHost.StartAsync(configuration, _time, configureBuilder: b => b.AddTrustedHeaderIdentity(), useKestrel: true);
    }

    private static HttpRequestMessage Request(string path, string? bearer = null, bool identityHeaders = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (identityHeaders)
        {
            request.Headers.Add("X-User-Id", "mallory");
            request.Headers.Add("X-Tenant-Id", "tenant-b");
            request.Headers.Add("X-Token-Scopes", "orders.read");
        }

        return request;
    }

    [Fact]
    public async Task Token_Valid_Authenticates()
    {
        await using var host = await StartAsync("127.0.0.0/8");

        using var response = await host.Client.SendAsync(Request("/whoami", _signer.CreateToken(Claims()), identityHeaders: false));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("demo-client", (await BodyAsync(response)).GetProperty("subject").GetString());
    }

    [Fact]
    public async Task Headers_WithoutAuthorization_FromGatewayNetwork_Authenticate()
    {
        await using var host = await StartAsync("127.0.0.0/8");

        using var response = await host.Client.SendAsync(Request("/whoami"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await BodyAsync(response);
        Assert.Equal("mallory", body.GetProperty("subject").GetString());
        Assert.Equal("trusted-headers", body.GetProperty("tokenType").GetString());
    }

    [Fact]
    public async Task TokenAndHeaders_TokenWins_HeadersIgnored()
    {
        await using var host = await StartAsync("127.0.0.0/8");

        using var response = await host.Client.SendAsync(Request("/whoami", _signer.CreateToken(Claims())));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await BodyAsync(response);
        Assert.Equal("demo-client", body.GetProperty("subject").GetString());
        Assert.Equal("tenant-a", body.GetProperty("tenantId").GetString());
    }

    [Fact]
    public async Task InvalidTokenAndHeaders_Returns401InvalidToken_NoFallbackToHeaders()
    {
        await using var host = await StartAsync("127.0.0.0/8");

        using var response = await host.Client.SendAsync(Request("/whoami", "not-a-token"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_token", (await BodyAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Headers_FromOtherNetwork_Returns401UntrustedSource()
    {
        await using var host = await StartAsync("10.0.0.0/8");

        using var response = await host.Client.SendAsync(Request("/whoami"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("untrusted_source", (await BodyAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task NeitherTokenNorHeaders_Returns401BearerChallenge()
    {
        await using var host = await StartAsync("127.0.0.0/8");

        using var response = await host.Client.SendAsync(Request("/whoami", identityHeaders: false));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    private Dictionary<string, object?> Claims() => InternalTokenTestSigner.DefaultClaims(_time.GetUtcNow(), ServiceHost.Audience, "orders.read");

    private static async Task<JsonElement> BodyAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}
