using static Reference.IdentityProvider.OAuthConstants;

namespace Reference.IdentityProvider.Validation;

/// <summary>The grant types a client may be configured with. No password grant and no implicit flow, ever
/// (RFC 9700 §2.4, §2.1.2).</summary>
internal static class GrantTypeNames
{
    public static IReadOnlyList<string> Supported { get; } =
    [
        GrantTypes.AuthorizationCode,
        GrantTypes.RefreshToken,
        GrantTypes.ClientCredentials,
        GrantTypes.TokenExchange,
    ];
}
