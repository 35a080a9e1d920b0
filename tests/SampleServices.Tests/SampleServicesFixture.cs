extern alias inventory;
extern alias orders;

using System.Net.Http.Headers;
using Reference.TestUtilities;

namespace Reference.SampleServices.Tests;

/// <summary>Both services, one gateway-like signer and its JWKS stub, one fake clock.</summary>
public sealed class SampleServicesFixture : IAsyncLifetime
{
    public InternalTokenTestSigner Signer { get; } = new("gateway-internal-1");

    public FakeTimeProvider Time { get; } = new();

    public JwksStubServer Jwks { get; private set; } = null!;

    public SampleServiceFactory<orders::Program> Orders { get; private set; } = null!;

    public SampleServiceFactory<inventory::Program> Inventory { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Jwks = await JwksStubServer.StartAsync(InternalTokenTestSigner.Jwks(Signer));
        Orders = new SampleServiceFactory<orders::Program>(Jwks.JwksUri, Time);
        Inventory = new SampleServiceFactory<inventory::Program>(Jwks.JwksUri, Time);
    }

    public async Task DisposeAsync()
    {
        await Orders.DisposeAsync();
        await Inventory.DisposeAsync();
        await Jwks.DisposeAsync();
        Signer.Dispose();
    }

    /// <summary>An internal token as the gateway would mint it for <paramref name="audience"/>.</summary>
    public string Token(string audience, string scope, string tenantId = "tenant-a", string subject = "demo-client") =>
        Signer.CreateToken(InternalTokenTestSigner.DefaultClaims(Time.GetUtcNow(), audience, scope, tenantId, subject));

    public static HttpRequestMessage Request(HttpMethod method, string path, string? token, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }
}
