using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace Reference.ServiceDefaults.InternalTokens;

/// <summary>
/// Cheap structural checks run before any key lookup or signature verification (RFC 8725 §3.1,
/// §3.10): a bounded length, exactly three base64url segments, a bounded JSON header without
/// duplicate members, the pinned algorithm and type, no <c>crit</c>/<c>b64</c> (RFC 7515 §4.1.11,
/// RFC 7797), no key-carrying headers (<c>jku</c>, <c>x5u</c>, <c>jwk</c>, <c>x5c</c>), no JWE or
/// nested-JWT markers, a bounded printable <c>kid</c>, and a 64-byte P1363 signature whose r and s
/// are not zero (a DER signature or a zeroed one is rejected here, CVE-2022-21449).
/// </summary>
internal static class InternalTokenPreChecks
{
    public const int MaxHeaderLength = 1024;
    public const int MaxKeyIdLength = 128;
    private const int Es256SignatureBytes = 64;

    private static readonly SearchValues<char> TokenCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    private static readonly HashSet<string> ForbiddenHeaders = new(StringComparer.Ordinal)
    {
        "crit", "b64", "jku", "x5u", "jwk", "x5c", "enc", "zip", "cty",
    };

    /// <summary>Returns null when the token may go on to key lookup, else why it may not.</summary>
    public static string? Check(string token, int maxTokenLength, out string keyId) =>
        Check(token, maxTokenLength, GatewayAlgorithms, GatewayTypes, out keyId, out _, out _);

    private static readonly HashSet<string> GatewayAlgorithms = new(StringComparer.Ordinal) { InternalTokenDefaults.Algorithm };
    private static readonly HashSet<string> GatewayTypes = new(StringComparer.Ordinal) { InternalTokenDefaults.TokenType };

    /// <summary>
    /// Returns null when the token may go on to key lookup, else why it may not; <paramref name="algorithms"/>
    /// and <paramref name="types"/> are the union over all trusted issuers (each issuer's own are checked later).
    /// </summary>
    public static string? Check(
        string token, int maxTokenLength, IReadOnlySet<string> algorithms, IReadOnlySet<string> types,
        out string keyId, out string algorithm, out string tokenType)
    {
        keyId = string.Empty;
        algorithm = string.Empty;
        tokenType = string.Empty;
        if (token.Length == 0 || token.Length > maxTokenLength)
        {
            return "The token is empty or too long.";
        }

        // Only the base64url alphabet and the two dots: no padding, whitespace or control characters
        // (the decoder itself would skip whitespace).
        if (token.AsSpan().IndexOfAnyExcept(TokenCharacters) >= 0)
        {
            return "The token is not base64url encoded.";
        }

        var firstDot = token.IndexOf('.', StringComparison.Ordinal);
        var secondDot = firstDot < 0 ? -1 : token.IndexOf('.', firstDot + 1);
        if (firstDot <= 0 || secondDot < 0 || secondDot == firstDot + 1
            || token.IndexOf('.', secondDot + 1) >= 0 || secondDot == token.Length - 1)
        {
            return "The token is not a compact JWS with three segments.";
        }

        var header = token.AsSpan(0, firstDot);
        var payload = token.AsSpan(firstDot + 1, secondDot - firstDot - 1);
        var signature = token.AsSpan(secondDot + 1);
        if (!Base64Url.IsValid(header) || !Base64Url.IsValid(payload) || !Base64Url.IsValid(signature))
        {
            return "The token is not base64url encoded.";
        }

        if (header.Length > MaxHeaderLength)
        {
            return "The token header is too long.";
        }

        var headerFailure = CheckHeader(Base64Url.DecodeFromChars(header), algorithms, types, out keyId, out algorithm, out tokenType);
        if (headerFailure is not null)
        {
            return headerFailure;
        }

        return CheckSignatureShape(Base64Url.DecodeFromChars(signature), algorithm);
    }

    private static string? CheckHeader(
        byte[] json, IReadOnlySet<string> algorithms, IReadOnlySet<string> types, out string keyId, out string algorithm, out string tokenType)
    {
        keyId = string.Empty;
        algorithm = string.Empty;
        tokenType = string.Empty;
        string? alg = null;
        string? typ = null;
        string? kid = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 4 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return "The token header is not a JSON object.";
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                if (!seen.Add(name))
                {
                    return "The token header has a duplicate member.";
                }

                if (ForbiddenHeaders.Contains(name))
                {
                    return $"The token header member '{name}' is not accepted.";
                }

                reader.Read();
                switch (name)
                {
                    case "alg":
                        alg = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        break;
                    case "typ":
                        typ = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        break;
                    case "kid":
                        kid = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return "The token header is not a JSON object.";
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: GetString on a member that is not valid UTF-8.
            return "The token header is not valid JSON.";
        }

        if (alg is null || !algorithms.Contains(alg))
        {
            return "The token's signing algorithm is not accepted.";
        }

        if (typ is null || !types.Contains(typ))
        {
            return "The token type is not accepted.";
        }

        if (string.IsNullOrEmpty(kid) || kid.Length > MaxKeyIdLength || !kid.All(c => c is > ' ' and < '\u007f'))
        {
            return "The token has no acceptable key id.";
        }

        keyId = kid;
        algorithm = alg;
        tokenType = typ;
        return null;
    }

    private static string? CheckSignatureShape(byte[] signature, string algorithm)
    {
        if (algorithm != InternalTokenDefaults.Algorithm)
        {
            // RS256/PS256: at least a 2048-bit modulus, at most 4096 bits.
            return signature.Length is >= 256 and <= 512 ? null : "The token signature is not an RSA signature of an accepted size.";
        }

        if (signature.Length != Es256SignatureBytes)
        {
            return "The token signature is not an ES256 signature.";
        }

        var half = Es256SignatureBytes / 2;
        if (signature.AsSpan(0, half).IndexOfAnyExcept((byte)0) < 0 || signature.AsSpan(half).IndexOfAnyExcept((byte)0) < 0)
        {
            return "The token signature is invalid.";
        }

        return null;
    }
}
