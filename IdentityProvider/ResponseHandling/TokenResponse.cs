using System.Text.Json.Serialization;

namespace Reference.IdentityProvider.ResponseHandling;

/// <summary>RFC 6749 §5.1.</summary>
internal sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] long ExpiresIn,
    [property: JsonPropertyName("scope")] string Scope);
