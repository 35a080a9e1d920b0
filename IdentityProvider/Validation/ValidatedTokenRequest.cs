using Reference.IdentityProvider.Stores;

namespace Reference.IdentityProvider.Validation;

/// <summary>A token request that passed validation: who asked, for what, and which APIs the token is for.</summary>
internal sealed record ValidatedTokenRequest(
    Client Client,
    string GrantType,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<ApiResource> Resources);
