using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using Reference.TestUtilities;

namespace Reference.SampleServices.Tests.Delegation;

/// <summary>
/// The IdP's token endpoint, in memory: answers RFC 8693 exchanges like the real one (act = the
/// authenticated client, any existing act nested) with tokens signed by the test IdP key, and records
/// what it was asked. Modes: issue, refuse (400 invalid_target), down (connection failure).
/// </summary>
internal sealed class FakeIdentityProvider(AccessTokenTestSigner signer, TimeProvider time) : HttpMessageHandler
{
    private int _requestCount;

    public string Mode { get; set; } = "issue";

    public int RequestCount => Volatile.Read(ref _requestCount);

    public Dictionary<string, string> LastForm { get; private set; } = [];

    public string? LastAuthorization { get; private set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requestCount);
        if (Mode == "down")
        {
            throw new HttpRequestException("Connection refused (fake IdP down).");
        }

        LastAuthorization = request.Headers.Authorization?.ToString();
        var body = await request.Content!.ReadAsStringAsync(cancellationToken);
        LastForm = body.Split('&').Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => Uri.UnescapeDataString(p[1].Replace('+', ' ')));
        if (Mode == "refuse")
        {
            return Json(HttpStatusCode.BadRequest, """{"error":"invalid_target"}""");
        }

        using var subject = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(LastForm["subject_token"].Split('.')[1]));
        var root = subject.RootElement;
        var actor = new Dictionary<string, object?> { ["sub"] = "orders-service", ["client_id"] = "orders-service" };
        if (root.TryGetProperty("act", out var act))
        {
            actor["act"] = act.Clone();
        }

        var claims = signer.Claims(time.GetUtcNow(), LastForm["audience"], LastForm["scope"], root.GetProperty("tenant_id").GetString()!,
            root.GetProperty("sub").GetString()!, actor);
        claims["client_id"] = "orders-service";
        var token = signer.CreateToken(claims);
        return Json(HttpStatusCode.OK, JsonSerializer.Serialize(new { access_token = token, token_type = "Bearer", expires_in = 300, scope = LastForm["scope"] }));
    }

    private static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
}
