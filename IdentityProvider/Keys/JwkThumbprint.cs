using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Reference.IdentityProvider.Keys;

/// <summary>RFC 7638 JWK thumbprints, used as <c>kid</c>: stable across restarts and replicas, derived from the
/// public key alone.</summary>
internal static class JwkThumbprint
{
    // RFC 7638 §3.2: the required members only, in lexicographic order, no whitespace. base64url needs no escaping.
    public static string ForRsa(string n, string e) => Hash($$"""{"e":"{{e}}","kty":"RSA","n":"{{n}}"}""");

    public static string ForEc(string crv, string x, string y) => Hash($$"""{"crv":"{{crv}}","kty":"EC","x":"{{x}}","y":"{{y}}"}""");

    private static string Hash(string canonicalJson) => Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalJson)));
}
