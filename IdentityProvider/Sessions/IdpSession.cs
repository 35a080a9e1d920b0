using System.Text.Json.Serialization;

namespace Reference.IdentityProvider.Sessions;

/// <summary>
/// A login session at the IdentityProvider, stored in Redis under the SHA-256 of its id. The id itself (the OIDC
/// <c>sid</c>) lives only in the <c>__Host-idp.session</c> cookie and in tokens issued from the session.
/// </summary>
internal sealed record IdpSession(
    [property: JsonPropertyName("sub")] string SubjectId,
    [property: JsonPropertyName("auth_time")] DateTimeOffset AuthTime,
    [property: JsonPropertyName("exp")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("clients")] IReadOnlyList<string> Clients)
{
    /// <summary>The session id (<c>sid</c>); not serialized (the key is its hash).</summary>
    [JsonIgnore]
    public string Id { get; init; } = string.Empty;
}
