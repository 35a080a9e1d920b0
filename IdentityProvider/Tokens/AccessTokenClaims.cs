using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reference.IdentityProvider.Validation;
using static Reference.IdentityProvider.OAuthConstants;

namespace Reference.IdentityProvider.Tokens;

/// <summary>
/// The claims of an access token, whatever its format (JWT or reference): <c>sub</c> (the user, the exchanged subject,
/// or the client itself), <c>client_id</c>, <c>scope</c>, <c>jti</c>, the client's configured claims (only in tokens
/// about the client itself: no user, no exchanged subject), the grant's additional claims (never a reserved claim), and <c>sid</c>, <c>auth_time</c>, <c>act</c> when present.
/// </summary>
internal static class AccessTokenClaims
{
    public static string NewTokenId() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

    /// <summary>Issue and expiry instants (whole seconds), never later than the grant's upper bound.</summary>
    public static (DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt) Lifetime(ValidatedTokenRequest request, TimeSpan defaultLifetime, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(timeProvider);

        // JWT NumericDates are whole seconds; truncating here makes exp - iat exactly the configured lifetime.
        var now = DateTimeOffset.FromUnixTimeSeconds(timeProvider.GetUtcNow().ToUnixTimeSeconds());
        var expires = now + (request.Client.AccessTokenLifetime ?? defaultLifetime);
        if (request.ExpiresNoLaterThan is { } bound && bound < expires)
        {
            expires = DateTimeOffset.FromUnixTimeSeconds(bound.ToUnixTimeSeconds());
        }

        return (now, expires);
    }

    public static Dictionary<string, object> Build(ValidatedTokenRequest request, string tokenId)
    {
        ArgumentNullException.ThrowIfNull(request);
        var claims = new Dictionary<string, object>(StringComparer.Ordinal);
        if (request.SubjectId is null && request.User is null)
        {
            // The client's configured claims describe the client, so they belong only in tokens about the client.
            foreach (var (type, value) in request.Client.Claims)
            {
                claims[type] = value;
            }
        }

        foreach (var (type, value) in request.AdditionalClaims ?? new Dictionary<string, object>())
        {
            if (!Claims.Reserved.Contains(type))
            {
                claims[type] = value;
            }
        }

        claims[Claims.Subject] = request.SubjectId ?? request.User?.SubjectId ?? request.Client.ClientId;
        claims[Claims.ClientId] = request.Client.ClientId;
        claims[Claims.Scope] = string.Join(' ', request.Scopes);
        claims[Claims.JwtId] = tokenId;
        if (request.SessionId is not null)
        {
            claims["sid"] = request.SessionId;
        }

        if (request.AuthTime is { } authTime)
        {
            claims["auth_time"] = authTime.ToUnixTimeSeconds();
        }

        if (request.Actor is not null)
        {
            // RFC 8693 §4.1; a JsonElement is written verbatim by the token handler and by ToJson.
            claims[Claims.Actor] = JsonSerializer.SerializeToElement(request.Actor, IdentityProviderJsonContext.Default.JsonObject);
        }

        return claims;
    }

    /// <summary>The same claims as a JSON object (reference tokens, introspection responses).</summary>
    public static JsonObject ToJson(IReadOnlyDictionary<string, object> claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        var json = new JsonObject();
        foreach (var (type, value) in claims)
        {
            json[type] = value switch
            {
                string s => JsonValue.Create(s),
                long l => JsonValue.Create(l),
                int i => JsonValue.Create(i),
                bool b => JsonValue.Create(b),
                JsonElement e => JsonNode.Parse(e.GetRawText()),
                IEnumerable<string> strings => new JsonArray([.. strings.Select(v => (JsonNode?)JsonValue.Create(v))]),
                _ => JsonValue.Create(value.ToString()),
            };
        }

        return json;
    }
}
