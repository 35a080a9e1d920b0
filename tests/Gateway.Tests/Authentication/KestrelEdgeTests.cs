using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Reference.Gateway.Tests.Infrastructure;

namespace Reference.Gateway.Tests.Authentication;

/// <summary>
/// The edge over real Kestrel and raw HTTP/1.1, where header lines arrive exactly as a hostile client writes
/// them (HttpClient would merge or refuse them).
/// </summary>
public sealed class KestrelEdgeTests : IAsyncLifetime
{
    private readonly GatewayEnvironment _env = new(new Dictionary<string, string?>(), useKestrel: true);

    public Task InitializeAsync() => _env.InitializeAsync();

    public Task DisposeAsync() => _env.DisposeAsync();

    [Fact]
    public async Task TwoAuthorizationHeaderLines_Returns400InvalidRequest_DownstreamGetsNothing()
    {
        var token = _env.Idp.CreateToken();

        var (status, body) = await SendRawAsync($"Authorization: Bearer {token}\r\nAuthorization: Bearer {token}\r\n");

        Assert.Equal(400, status);
        Assert.Equal("invalid_request", JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
        Assert.Empty(_env.Orders.Requests);
    }

    [Fact]
    public async Task SpoofedHeaderLines_AllCasesAndDuplicates_NeverReachDownstream()
    {
        var token = _env.Idp.CreateToken();

        var (status, _) = await SendRawAsync(
            $"Authorization: Bearer {token}\r\nX-User-Id: admin\r\nx-user-id: root\r\nX-USER-ID: sys\r\n" +
            "x-TENANT-id: tenant-a\r\nX-Internal-Token: forged\r\nX-Token-Scopes: orders.write\r\n");

        Assert.Equal(200, status);
        var received = Assert.Single(_env.Orders.Requests);
        Assert.Empty(received.Header("x-user-id"));
        Assert.Empty(received.Header("x-tenant-id"));
        Assert.Empty(received.Header("x-internal-token"));
        Assert.Empty(received.Header("x-token-scopes"));
        Assert.NotEqual($"Bearer {token}", Assert.Single(received.Header("authorization")));
    }

    [Fact]
    public async Task NulInAuthorizationHeader_KestrelRejects400_DownstreamGetsNothing()
    {
        var parts = _env.Idp.CreateToken().Split('.');

        var (status, _) = await SendRawAsync($"Authorization: Bearer {parts[0]}.{parts[1]}\0.{parts[2]}\r\n");

        Assert.Equal(400, status);
        Assert.Empty(_env.Orders.Requests);
    }

    private async Task<(int Status, string Body)> SendRawAsync(string headerLines)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(_env.KestrelAddress!.Host, _env.KestrelAddress.Port);
        await using var stream = tcp.GetStream();
        var request = $"GET /api/orders/1 HTTP/1.1\r\nHost: gateway\r\n{headerLines}Connection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync();
        var status = int.Parse(response.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        var bodyStart = response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        return (status, Dechunk(response, bodyStart));
    }

    private static string Dechunk(string response, int bodyStart)
    {
        var body = response[bodyStart..];
        if (!response[..bodyStart].Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            return body;
        }

        var result = new StringBuilder();
        var position = 0;
        while (true)
        {
            var lineEnd = body.IndexOf("\r\n", position, StringComparison.Ordinal);
            var size = Convert.ToInt32(body[position..lineEnd], 16);
            if (size == 0)
            {
                return result.ToString();
            }

            result.Append(body, lineEnd + 2, size);
            position = lineEnd + 2 + size + 2;
        }
    }
}
