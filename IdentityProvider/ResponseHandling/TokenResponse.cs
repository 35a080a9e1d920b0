using System.Text.Json.Serialization;

namespace Reference.IdentityProvider.ResponseHandling;

/// <summary>RFC 6749 §5.1 (+ OpenID Connect Core §3.1.3.3's <c>id_token</c>).</summary>
internal sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] long ExpiresIn,
    [property: JsonPropertyName("scope")] string Scope)
{
    [JsonPropertyName("refresh_token")]
    public string? RefreshToken { get; init; }

    [JsonPropertyName("id_token")]
    public string? IdToken { get; init; }

    /// <summary>RFC 8693 §2.2.1; null (omitted) outside token exchange.</summary>
    [JsonPropertyName("issued_token_type")]
    public string? IssuedTokenType { get; init; }
}
