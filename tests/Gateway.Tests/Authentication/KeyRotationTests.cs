using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Reference.Gateway.Tests.Infrastructure;
using Reference.TestUtilities;

namespace Reference.Gateway.Tests.Authentication;

/// <summary>The issuer rotates its key while the gateway runs on a fake clock.</summary>
public sealed class KeyRotationTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly GatewayEnvironment _env;

    public KeyRotationTests() =>
        _env = new GatewayEnvironment(
            new Dictionary<string, string?>(),
            configureServices: services => services.AddSingleton<TimeProvider>(_time));

    public Task InitializeAsync() => _env.InitializeAsync();

    public Task DisposeAsync() => _env.DisposeAsync();

    [Fact]
    public async Task UnknownKid_StormOfRequests_OneRefreshPerWindow_RotatedKeyAcceptedAfterWindow()
    {
        Assert.Equal(1, _env.Idp.JwksRequests);

        for (var i = 0; i < 10; i++)
        {
            var (status, error) = await SendAsync(_env.Idp.CreateToken(editHeader: h => h["kid"] = $"unknown-{i}"));
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            Assert.Equal("invalid_token", error);
        }

        Assert.Equal(2, _env.Idp.JwksRequests);

        using var rotated = RSA.Create(2048);
        _env.Idp.Publish("rsa-2", rotated);
        var header = FakeIdentityProvider.Header(kid: "rsa-2");
        var payload = _env.Idp.Payload();
        payload["iat"] = payload["nbf"] = _time.GetUtcNow().ToUnixTimeSeconds();
        payload["exp"] = _time.GetUtcNow().AddMinutes(15).ToUnixTimeSeconds();
        var rotatedToken = Jws.SignRsa(Jws.SigningInput(Jws.Json(header), Jws.Json(payload)), rotated);

        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(rotatedToken)).Status);
        Assert.Equal(2, _env.Idp.JwksRequests);

        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(rotatedToken)).Status);
        Assert.Equal(3, _env.Idp.JwksRequests);
        Assert.Single(_env.Orders.Requests);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(rotatedToken)).Status);
        Assert.Equal(3, _env.Idp.JwksRequests);
    }

    private async Task<(HttpStatusCode Status, string? Error)> SendAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/1");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _env.Client.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return (response.StatusCode, null);
        }

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, body.RootElement.GetProperty("error").GetString());
    }
}
