using System.Collections.Frozen;

namespace Reference.ServiceDefaults.InternalTokens;

/// <summary>
/// One issuer this service accepts tokens from: the gateway (built in, <c>internal+jwt</c>, ES256) or a
/// configured <see cref="TrustedIssuerOptions"/>. Keys, algorithms and <c>typ</c> are scoped to it.
/// </summary>
internal sealed record TrustedIssuer(
    string Name,
    string? Issuer,
    Uri? JwksUri,
    Uri? MetadataAddress,
    FrozenSet<string> Algorithms,
    string TokenType,
    bool RequireActor = false)
{
    public const string GatewayName = "gateway";

    public static readonly FrozenSet<string> SupportedAlgorithms = FrozenSet.Create(StringComparer.Ordinal, "RS256", "PS256", "ES256");

    public static IReadOnlyList<TrustedIssuer> FromOptions(InternalTokenOptions options)
    {
        var issuers = new List<TrustedIssuer>
        {
            new(GatewayName, options.Issuer, options.JwksUri, null,
                FrozenSet.Create(StringComparer.Ordinal, InternalTokenDefaults.Algorithm), InternalTokenDefaults.TokenType),
        };
        foreach (var (name, o) in options.TrustedIssuers.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var algorithms = o.Algorithms.Count == 0 ? ["RS256", "ES256"] : o.Algorithms;
            issuers.Add(new TrustedIssuer("trusted:" + name, string.IsNullOrWhiteSpace(o.Issuer) ? null : o.Issuer, o.JwksUri,
                o.MetadataAddress, algorithms.ToFrozenSet(StringComparer.Ordinal), o.TokenType, o.RequireActor));
        }

        return issuers;
    }
}
