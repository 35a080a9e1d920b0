using Microsoft.IdentityModel.Tokens;

namespace Reference.IdentityProvider.Keys;

/// <summary>The JWS algorithms the IdentityProvider signs with, each backed by its own key.</summary>
internal static class SigningAlgorithms
{
    /// <summary>The default for access tokens: the cheapest to verify for the gateway.</summary>
    public const string RS256 = SecurityAlgorithms.RsaSha256;

    /// <summary>Selectable per API resource.</summary>
    public const string ES256 = SecurityAlgorithms.EcdsaSha256;

    public static IReadOnlyList<string> Supported { get; } = [RS256, ES256];

    public static bool IsSupported(string? algorithm) => algorithm is RS256 or ES256;
}
