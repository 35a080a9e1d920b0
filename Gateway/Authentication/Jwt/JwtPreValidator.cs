using System.Buffers.Text;
using System.Text.Json;

namespace Reference.Gateway.Authentication.Jwt;

/// <summary>What the cheap structural checks learned from a token's header.</summary>
internal sealed record JwtHeaderInfo(string Algorithm, string KeyId, string Type);

/// <summary>The claims read during the structural checks (trusted only once the signature is verified).</summary>
internal sealed record JwtPayloadInfo(string Issuer, string? Subject, string? ClientId, string? Scope, string? TenantId)
{
    public string? Email { get; init; }

    public IReadOnlyList<string> Roles { get; init; } = [];

    public string? TokenId { get; init; }

    public string? SessionId { get; init; }
}

internal readonly record struct JwtPreValidationResult(JwtValidationFailure? Failure, JwtHeaderInfo? Header, JwtPayloadInfo? Payload)
{
    public static JwtPreValidationResult Fail(JwtValidationFailure failure) => new(failure, null, null);
}

/// <summary>
/// The checks that run before any key lookup or signature work (RFC 8725 §3.1, §3.8–3.11, RFC 7515 §4.1.11,
/// RFC 7797): a length bound, exactly three base64url segments, a strictly parsed header without duplicate
/// members, a pinned algorithm, a bounded <c>kid</c>, the <c>at+jwt</c> type, no <c>crit</c>/<c>b64</c>, and
/// none of the key-carrying headers (<c>jku</c>, <c>x5u</c>, <c>jwk</c>, <c>x5c</c>), which are never followed.
/// The exact issuer is checked here too, so a foreign token cannot trigger a JWKS refresh.
/// </summary>
internal static class JwtPreValidator
{
    public const int MaxHeaderSegmentLength = 2048;
    public const int MaxKeyIdLength = 128;

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 16,
    };

    // enc/zip belong to JWE; the rest carry or point at keys, or change how the signature is computed.
    private static readonly HashSet<string> ForbiddenHeaderParameters = new(StringComparer.Ordinal)
    {
        "crit", "b64", "jku", "x5u", "jwk", "x5c", "enc", "zip",
    };

    public static JwtPreValidationResult Check(string token, JwtValidationOptions options)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(options);
        if (token.Length > options.MaxTokenLength)
        {
            return JwtPreValidationResult.Fail(JwtValidationFailure.TooLong);
        }

        if (!TrySplit(token, out var firstDot, out var secondDot))
        {
            return JwtPreValidationResult.Fail(JwtValidationFailure.Malformed);
        }

        if (firstDot > MaxHeaderSegmentLength)
        {
            return JwtPreValidationResult.Fail(JwtValidationFailure.TooLong);
        }

        if (!TryDecode(token.AsSpan(0, firstDot), out var headerBytes)
            || !TryDecode(token.AsSpan(firstDot + 1, secondDot - firstDot - 1), out var payloadBytes))
        {
            return JwtPreValidationResult.Fail(JwtValidationFailure.Malformed);
        }

        try
        {
            var headerFailure = ReadHeader(headerBytes, options, out var header);
            if (headerFailure is not null)
            {
                return JwtPreValidationResult.Fail(headerFailure);
            }

            var payloadFailure = ReadPayload(payloadBytes, out var payload);
            if (payloadFailure is not null)
            {
                return JwtPreValidationResult.Fail(payloadFailure);
            }

            // The issuer is routed (and then verified exactly) by JwtTokenValidator: each issuer has its own keys.
            return new JwtPreValidationResult(null, header, payload);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: Utf8JsonReader.GetString on a string that is not valid UTF-8. Uncaught, it
            // reached the authentication stage's catch-all and a malformed token answered 503 instead of 401.
            return JwtPreValidationResult.Fail(JwtValidationFailure.Malformed);
        }
    }

    private static bool TrySplit(string token, out int firstDot, out int secondDot)
    {
        firstDot = -1;
        secondDot = -1;
        for (var i = 0; i < token.Length; i++)
        {
            var c = token[i];
            if (c == '.')
            {
                if (firstDot < 0)
                {
                    firstDot = i;
                }
                else if (secondDot < 0)
                {
                    secondDot = i;
                }
                else
                {
                    return false;
                }
            }
            else if (!IsBase64UrlChar(c))
            {
                return false;
            }
        }

        return firstDot > 0 && secondDot > firstDot + 1 && secondDot < token.Length - 1;
    }

    private static bool IsBase64UrlChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '-' or '_';

    private static bool TryDecode(ReadOnlySpan<char> segment, out byte[] bytes)
    {
        try
        {
            bytes = Base64Url.DecodeFromChars(segment);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }

    private static JwtValidationFailure? ReadHeader(byte[] json, JwtValidationOptions options, out JwtHeaderInfo? header)
    {
        header = null;
        var reader = new Utf8JsonReader(json, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return JwtValidationFailure.Malformed;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        string? alg = null;
        string? kid = null;
        string? typ = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            if (!names.Add(name))
            {
                return JwtValidationFailure.DuplicateMember;
            }

            if (ForbiddenHeaderParameters.Contains(name))
            {
                return name is "enc" or "zip" ? JwtValidationFailure.NestedToken : JwtValidationFailure.ForbiddenHeader;
            }

            reader.Read();
            switch (name)
            {
                case "alg":
                    alg = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    if (alg is null)
                    {
                        return JwtValidationFailure.Malformed;
                    }

                    break;
                case "kid":
                    kid = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    if (kid is null)
                    {
                        return JwtValidationFailure.MissingKeyId;
                    }

                    break;
                case "typ":
                    typ = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    if (typ is null)
                    {
                        return JwtValidationFailure.InvalidType;
                    }

                    break;
                case "cty":
                    if (reader.TokenType != JsonTokenType.String
                        || string.Equals(reader.GetString(), "JWT", StringComparison.OrdinalIgnoreCase))
                    {
                        return JwtValidationFailure.NestedToken;
                    }

                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            return JwtValidationFailure.Malformed;
        }

        if (alg is null || !options.AcceptedAlgorithms.Contains(alg))
        {
            return JwtValidationFailure.UnsupportedAlgorithm;
        }

        if (string.IsNullOrEmpty(kid) || kid.Length > MaxKeyIdLength)
        {
            return JwtValidationFailure.MissingKeyId;
        }

        if (!string.Equals(typ, "at+jwt", StringComparison.OrdinalIgnoreCase)
            && !string.Equals(typ, "application/at+jwt", StringComparison.OrdinalIgnoreCase))
        {
            return JwtValidationFailure.InvalidType;
        }

        header = new JwtHeaderInfo(alg, kid, typ!);
        return null;
    }

    private static JwtValidationFailure? ReadPayload(byte[] json, out JwtPayloadInfo? payload)
    {
        payload = null;
        var reader = new Utf8JsonReader(json, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return JwtValidationFailure.Malformed;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        string? iss = null;
        string? sub = null;
        string? clientId = null;
        string? scope = null;
        string? tenantId = null;
        string? email = null;
        string? jti = null;
        string? sid = null;
        List<string> roles = [];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            if (!names.Add(name))
            {
                return JwtValidationFailure.DuplicateMember;
            }

            reader.Read();
            if (name is "roles" or "role")
            {
                if (!TryReadStrings(ref reader, roles))
                {
                    return JwtValidationFailure.InvalidClaims;
                }
            }
            else if (name is "jti" or "sid")
            {
                // Optional; only a string is used (for eviction on revocation and the caller's session).
                if (reader.TokenType == JsonTokenType.String)
                {
                    if (name is "jti")
                    {
                        jti = reader.GetString();
                    }
                    else
                    {
                        sid = reader.GetString();
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (name is "iss" or "sub" or "client_id" or "scope" or "tenant_id" or "email")
            {
                if (reader.TokenType != JsonTokenType.String)
                {
                    return JwtValidationFailure.InvalidClaims;
                }

                var value = reader.GetString();
                switch (name)
                {
                    case "iss":
                        iss = value;
                        break;
                    case "sub":
                        sub = value;
                        break;
                    case "client_id":
                        clientId = value;
                        break;
                    case "scope":
                        scope = value;
                        break;
                    case "email":
                        email = value;
                        break;
                    default:
                        tenantId = value;
                        break;
                }
            }
            else if (name is "exp" or "nbf" or "iat")
            {
                // NumericDate (RFC 7519 §2): a JSON number. The token handler would also read "exp":"9999999999" as a
                // date, and a parser that does not would see a token without expiry (a parser differential).
                if (reader.TokenType != JsonTokenType.Number)
                {
                    return JwtValidationFailure.InvalidClaims;
                }
            }
            else
            {
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            return JwtValidationFailure.Malformed;
        }

        if (iss is null)
        {
            return JwtValidationFailure.InvalidIssuer;
        }

        payload = new JwtPayloadInfo(iss, sub, clientId, scope, tenantId) { Email = email, Roles = roles, TokenId = jti, SessionId = sid };
        return null;
    }

    // A role claim is a string or an array of strings (RFC 9068 §7.2.1.1); anything else is an invalid claim.
    private static bool TryReadStrings(ref Utf8JsonReader reader, List<string> values)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            values.Add(reader.GetString()!);
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String || values.Count >= 64)
            {
                return false;
            }

            values.Add(reader.GetString()!);
        }

        return reader.TokenType == JsonTokenType.EndArray;
    }
}
