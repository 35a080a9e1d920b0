using System.Text.Json.Serialization;
using Reference.IdentityProvider.Keys;

namespace Reference.IdentityProvider.ResponseHandling;

/// <summary>RFC 7517 §5: public keys only.</summary>
internal sealed record JsonWebKeySetDocument([property: JsonPropertyName("keys")] IReadOnlyList<PublicJsonWebKey> Keys);
