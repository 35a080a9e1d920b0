using System.Text.Json.Serialization;

namespace Reference.IdentityProvider.Keys;

/// <summary>How a signing key is persisted: a private JWK plus its creation time. Contains private key material:
/// written only with owner-only permissions into the git-ignored data folder.</summary>
internal sealed record SigningKeyDocument
{
    [JsonPropertyName("kid")]
    public required string KeyId { get; init; }

    [JsonPropertyName("alg")]
    public required string Algorithm { get; init; }

    [JsonPropertyName("kty")]
    public required string KeyType { get; init; }

    [JsonPropertyName("created")]
    public required DateTimeOffset CreatedAt { get; init; }

    [JsonPropertyName("n")]
    public string? N { get; init; }

    [JsonPropertyName("e")]
    public string? E { get; init; }

    [JsonPropertyName("d")]
    public string? D { get; init; }

    [JsonPropertyName("p")]
    public string? P { get; init; }

    [JsonPropertyName("q")]
    public string? Q { get; init; }

    [JsonPropertyName("dp")]
    public string? DP { get; init; }

    [JsonPropertyName("dq")]
    public string? DQ { get; init; }

    [JsonPropertyName("qi")]
    public string? QI { get; init; }

    [JsonPropertyName("crv")]
    public string? Curve { get; init; }

    [JsonPropertyName("x")]
    public string? X { get; init; }

    [JsonPropertyName("y")]
    public string? Y { get; init; }
}
