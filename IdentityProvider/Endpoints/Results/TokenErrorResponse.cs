using System.Text.Json.Serialization;

namespace Reference.IdentityProvider.Endpoints.Results;

/// <summary>RFC 6749 §5.2.</summary>
internal sealed record TokenErrorResponse(
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("error_description")] string? ErrorDescription);
