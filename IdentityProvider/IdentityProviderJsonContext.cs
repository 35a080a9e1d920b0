using System.Text.Json.Serialization;
using Reference.IdentityProvider.Endpoints.Results;
using Reference.IdentityProvider.Keys;
using Reference.IdentityProvider.ResponseHandling;

namespace Reference.IdentityProvider;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(TokenErrorResponse))]
[JsonSerializable(typeof(DiscoveryDocument))]
[JsonSerializable(typeof(JsonWebKeySetDocument))]
[JsonSerializable(typeof(SigningKeyDocument))]
[JsonSerializable(typeof(Stores.AuthorizationCodes.AuthorizationCode))]
[JsonSerializable(typeof(Stores.AuthorizationCodes.CodeGrant))]
[JsonSerializable(typeof(Stores.RefreshTokens.RefreshToken))]
[JsonSerializable(typeof(Stores.ReferenceTokens.ReferenceToken))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonObject))]
[JsonSerializable(typeof(Sessions.IdpSession))]
internal sealed partial class IdentityProviderJsonContext : JsonSerializerContext;
