using System.Text.Json.Serialization;

namespace Reference.IdentityProvider.Keys;

/// <summary>The public half of a signing key as published in the JWKS (RFC 7517, RFC 7518 §6).</summary>
internal sealed record PublicJsonWebKey(
    [property: JsonPropertyName("kty")] string KeyType,
    [property: JsonPropertyName("use")] string Use,
    [property: JsonPropertyName("alg")] string Algorithm,
    [property: JsonPropertyName("kid")] string KeyId,
    [property: JsonPropertyName("n")] string? Modulus = null,
    [property: JsonPropertyName("e")] string? Exponent = null,
    [property: JsonPropertyName("crv")] string? Curve = null,
    [property: JsonPropertyName("x")] string? X = null,
    [property: JsonPropertyName("y")] string? Y = null);
