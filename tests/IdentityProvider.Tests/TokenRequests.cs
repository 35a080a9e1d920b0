using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Reference.IdentityProvider.Tests;

/// <summary>Builds token requests the way a client library would, and checks issued tokens with the published JWKS.</summary>
internal static class TokenRequests
{
    public const string TokenPath = "/connect/token";
    public const string JwksPath = "/.well-known/jwks";
    public const string DiscoveryPath = "/.well-known/openid-configuration";

    public static HttpRequestMessage Post(string body, string? basicClientId = null, string? basicSecret = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, TokenPath)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Content.Headers.ContentType!.CharSet = null;
        if (basicClientId is not null)
        {
            request.Headers.Authorization = Basic(basicClientId, basicSecret ?? string.Empty);
        }

        return request;
    }

    public static HttpRequestMessage Post(IEnumerable<KeyValuePair<string, string>> form, string? basicClientId = null, string? basicSecret = null) =>
        Post(Encode(form), basicClientId, basicSecret);

    public static string Encode(IEnumerable<KeyValuePair<string, string>> form) =>
        string.Join('&', form.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));

    /// <summary>RFC 6749 §2.3.1: form-encode the id and the secret, then RFC 7617 Basic.</summary>
    public static AuthenticationHeaderValue Basic(string clientId, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.EscapeDataString(clientId) + ":" + Uri.EscapeDataString(secret))));

    public static KeyValuePair<string, string> P(string name, string value) => new(name, value);

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public static async Task<string> GetAccessTokenAsync(HttpClient client, string clientId, string secret, string? scope = null)
    {
        var form = new List<KeyValuePair<string, string>> { P("grant_type", "client_credentials") };
        if (scope is not null)
        {
            form.Add(P("scope", scope));
        }

        using var response = await client.SendAsync(Post(form, clientId, secret));
        var json = await ReadJsonAsync(response);
        Assert.True(response.IsSuccessStatusCode, json.ToString());
        return json.GetProperty("access_token").GetString()!;
    }

    public static async Task<JsonWebKeySet> GetJwksAsync(HttpClient client) => new(await client.GetStringAsync(JwksPath));

    /// <summary>Validates like a resource server that pins algorithms and type and trusts only the published keys.</summary>
    public static async Task<TokenValidationResult> ValidateAsync(HttpClient client, string token, string audience, TimeProvider time)
    {
        var jwks = await GetJwksAsync(client);
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = IdentityProviderFactory.Issuer,
            ValidAudience = audience,
            ValidTypes = ["at+jwt"],
            ValidAlgorithms = ["RS256", "ES256"],
            IssuerSigningKeys = jwks.GetSigningKeys(),
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.Zero,
        };
        // Lifetime against the IdentityProvider's fake clock, not the machine's.
        parameters.LifetimeValidator = (notBefore, expires, _, _) =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            return notBefore <= now && now < expires;
        };

        return await new JsonWebTokenHandler().ValidateTokenAsync(token, parameters);
    }
}
