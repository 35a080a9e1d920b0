using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Reference.Gateway.Tests.Infrastructure;

/// <summary>
/// A fake IdP token endpoint for RFC 8693 exchange: discovery with a <c>token_endpoint</c>, and a token endpoint that
/// checks the gateway's client_secret_basic, records every form, and issues <c>exchanged-{n}</c> tokens, refuses
/// with <see cref="RefuseWith"/>, or fails with 500 while <see cref="Failing"/>.
/// </summary>
public sealed class FakeTokenExchangeEndpoint : TestServerHost
{
    public const string ClientId = "gateway";
    public const string ClientSecret = "gateway-secret-7d1";

    private readonly ConcurrentQueue<IReadOnlyDictionary<string, string>> _forms = new();
    private int _issued;

    public string MetadataAddress => $"{Url}/.well-known/openid-configuration";

    public IReadOnlyList<IReadOnlyDictionary<string, string>> Forms => [.. _forms];

    public int Calls => _forms.Count;

    public string? RefuseWith { get; set; }

    public bool Failing { get; set; }

    public int ExpiresIn { get; set; } = 300;

    protected override void Map(WebApplication app)
    {
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new { issuer = Url, token_endpoint = $"{Url}/connect/token" }));
        app.MapPost("/connect/token", async (HttpContext context) =>
        {
            var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ClientId}:{ClientSecret}"));
            if (!string.Equals(context.Request.Headers.Authorization, expected, StringComparison.Ordinal))
            {
                return Results.Json(new { error = "invalid_client" }, statusCode: 401);
            }

            var form = await context.Request.ReadFormAsync();
            _forms.Enqueue(form.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal));
            if (Failing)
            {
                return Results.StatusCode(500);
            }

            if (RefuseWith is { } error)
            {
                return Results.Json(new { error, error_description = "refused" }, statusCode: 400);
            }

            var n = Interlocked.Increment(ref _issued);
            return Results.Json(new
            {
                access_token = $"exchanged-{n}-{form["audience"]}",
                token_type = "Bearer",
                expires_in = ExpiresIn,
                scope = form["scope"].ToString(),
                issued_token_type = "urn:ietf:params:oauth:token-type:access_token",
            });
        });
    }
}
