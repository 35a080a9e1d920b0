using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Reference.ServiceDefaults.Tests.TrustedProxies;

public sealed class ForwardedHeadersTests
{
    private static async Task<(string RemoteIp, string Scheme)> CallAsync(Dictionary<string, string?> configuration)
    {
        await using var host = await ServiceHost.StartAsync(
            configuration,
            configureApp: app => app.MapGet("/client", (HttpContext context) => TypedResults.Ok(new
            {
                remoteIp = context.Connection.RemoteIpAddress?.ToString(),
                scheme = context.Request.Scheme,
            })),
            useKestrel: true,
            internalTokens: false);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/client");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        request.Headers.Add("X-Forwarded-Proto", "https");
        var response = await host.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (body.RootElement.GetProperty("remoteIp").GetString()!, body.RootElement.GetProperty("scheme").GetString()!);
    }

    [Fact]
    public async Task ForwardedHeaders_NoProxyConfigured_IgnoredEvenFromLoopback()
    {
        var (remoteIp, scheme) = await CallAsync([]);

        Assert.Equal("127.0.0.1", remoteIp);
        Assert.Equal("http", scheme);
    }

    [Theory]
    [InlineData("ForwardedHeaders:KnownProxies:0", "10.1.2.3")]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "10.0.0.0/8")]
    public async Task ForwardedHeaders_FromUnknownProxy_Ignored(string key, string value)
    {
        var (remoteIp, scheme) = await CallAsync(new() { [key] = value });

        Assert.Equal("127.0.0.1", remoteIp);
        Assert.Equal("http", scheme);
    }

    [Theory]
    [InlineData("ForwardedHeaders:KnownProxies:0", "127.0.0.1")]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "127.0.0.0/8")]
    public async Task ForwardedHeaders_FromKnownProxy_Honoured(string key, string value)
    {
        var (remoteIp, scheme) = await CallAsync(new() { [key] = value });

        Assert.Equal("203.0.113.7", remoteIp);
        Assert.Equal("https", scheme);
    }

    [Theory]
    [InlineData("ForwardedHeaders:KnownProxies:0", "not-an-ip", "ForwardedHeaders:KnownProxies:0")]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "10.0.0.0/99", "ForwardedHeaders:KnownNetworks:0")]
    [InlineData("ForwardedHeaders:ForwardLimit", "0", "ForwardedHeaders:ForwardLimit")]
    public async Task ForwardedHeaders_InvalidConfiguration_StartFailsNamingTheKey(string key, string value, string expected)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => CallAsync(new() { [key] = value }));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
