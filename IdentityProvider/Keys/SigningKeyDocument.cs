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

    /// <summary>Rotation sequence number; absent (0) in files written before rotation existed.</summary>
    [JsonPropertyName("generation")]
    public int Generation { get; init; }

    /// <summary>When the key starts signing; absent in pre-rotation files (active since <see cref="CreatedAt"/>).</summary>
    [JsonPropertyName("activates")]
    public DateTimeOffset? ActivatesAt { get; init; }

    /// <summary>Planned end of signing (activation + rotation interval); the successor's activation is the actual one.</summary>
    [JsonPropertyName("retires")]
    public DateTimeOffset? RetiresAt { get; init; }

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
