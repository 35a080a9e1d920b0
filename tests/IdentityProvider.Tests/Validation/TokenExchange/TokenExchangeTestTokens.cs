using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Reference.IdentityProvider.Keys;
using static Reference.IdentityProvider.Tests.TokenRequests;

namespace Reference.IdentityProvider.Tests.Validation.TokenExchange;

/// <summary>User-like subject tokens signed with the IdentityProvider's own key ring (as the authorization-code flow
/// would issue them), plus exchange requests.</summary>
internal static class TokenExchangeTestTokens
{
    public const string GrantType = "urn:ietf:params:oauth:grant-type:token-exchange";
    public const string AccessTokenType = "urn:ietf:params:oauth:token-type:access_token";
    public const string JwtTokenType = "urn:ietf:params:oauth:token-type:jwt";
    public const string UserId = "user-123";

    public static Dictionary<string, object> UserClaims(string scope = "orders.read orders.write inventory.read") => new(StringComparer.Ordinal)
    {
        ["sub"] = UserId,
        ["client_id"] = "web-app",
        ["scope"] = scope,
        ["tenant_id"] = "tenant-a",
        ["roles"] = new List<object> { "admin", "clerk" },
        ["email"] = "alice@example.com",
        ["jti"] = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)),
    };

    public static async Task<string> SignAsync(
        IdentityProviderFactory factory,
        Dictionary<string, object> claims,
        TimeSpan? lifetime = null,
        string type = "at+jwt",
        string issuer = IdentityProviderFactory.Issuer,
        SigningCredentials? credentials = null,
        TimeSpan? notBefore = null)
    {
        var keyRing = factory.Services.GetRequiredService<ISigningKeyRing>();
        credentials ??= (await keyRing.GetSigningKeyAsync(SigningAlgorithms.RS256, CancellationToken.None)).SigningCredentials;
        var now = factory.Time.GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            IssuedAt = now,
            NotBefore = now + (notBefore ?? TimeSpan.Zero),
            Expires = now + (lifetime ?? TimeSpan.FromHours(1)),
            TokenType = type,
            SigningCredentials = credentials,
            Claims = claims,
        };
        descriptor.Audiences.Add("reference-api");
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    public static List<KeyValuePair<string, string>> Form(string subjectToken, string? audience = "orders-api", params KeyValuePair<string, string>[] extra)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            P("grant_type", GrantType),
            P("subject_token", subjectToken),
            P("subject_token_type", AccessTokenType),
        };
        if (audience is not null)
        {
            form.Add(P("audience", audience));
        }

        form.AddRange(extra);
        return form;
    }

    public static async Task<(HttpResponseMessage Response, JsonElement Json)> ExchangeAsync(HttpClient client, string clientId, string secret, IEnumerable<KeyValuePair<string, string>> form)
    {
        var response = await client.SendAsync(Post(form, clientId, secret));
        return (response, await ReadJsonAsync(response));
    }

    public static JsonElement Payload(string token)
    {
        using var document = JsonDocument.Parse(Base64UrlEncoder.Decode(new JsonWebToken(token).EncodedPayload));
        return document.RootElement.Clone();
    }
}
