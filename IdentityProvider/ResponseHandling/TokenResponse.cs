using System.Text.Json.Serialization;

namespace Reference.IdentityProvider.ResponseHandling;

/// <summary>RFC 6749 §5.1.</summary>
internal sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] long ExpiresIn,
    [property: JsonPropertyName("scope")] string Scope)
{
    /// <summary>RFC 8693 §2.2.1; null (omitted) outside token exchange.</summary>
    [JsonPropertyName("issued_token_type")]
    public string? IssuedTokenType { get; init; }
}
