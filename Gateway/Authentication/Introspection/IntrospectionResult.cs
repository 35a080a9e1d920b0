using System.Text.Json;

namespace Reference.Gateway.Authentication.Introspection;

/// <summary>A parsed RFC 7662 answer: an active token's caller, or why the token is not accepted.</summary>
internal sealed record IntrospectionResult(AuthenticatedCaller? Caller, string? RejectionReason)
{
    public bool IsActive => Caller is not null;

    public static IntrospectionResult Inactive(string reason) => new(null, reason);
}

/// <summary>The endpoint could not give an answer (timeout, connection failure, 5xx, malformed body, breaker open).</summary>
internal sealed class IntrospectionUnavailableException : Exception
{
    public IntrospectionUnavailableException()
    {
    }

    public IntrospectionUnavailableException(string message)
        : base(message)
    {
    }

    public IntrospectionUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Reads an introspection response (RFC 7662 §2.2) into an <see cref="IntrospectionResult"/>.</summary>
internal static class IntrospectionResponseParser
{
    public const string ReasonInactive = "token_inactive";
    public const string ReasonExpired = "token_expired";
    public const string ReasonAudience = "invalid_audience";
    public const string ReasonIssuer = "invalid_issuer";
    public const string ReasonClaims = "invalid_claims";

    /// <exception cref="IntrospectionUnavailableException">The body is not an introspection response.</exception>
    public static IntrospectionResult Parse(ReadOnlySpan<byte> json, IntrospectionOptions options, DateTimeOffset now, string tokenHash, string token)
    {
        ArgumentNullException.ThrowIfNull(options);
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException ex)
        {
            throw new IntrospectionUnavailableException("The introspection response is not JSON.", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("active", out var active)
                || active.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                throw new IntrospectionUnavailableException("The introspection response has no boolean 'active' member.");
            }

            if (active.ValueKind == JsonValueKind.False)
            {
                return IntrospectionResult.Inactive(ReasonInactive);
            }

            // An active answer must bound its own lifetime: without exp the gateway could not cap its cache.
            if (!root.TryGetProperty("exp", out var expElement) || !expElement.TryGetInt64(out var exp))
            {
                return IntrospectionResult.Inactive(ReasonClaims);
            }

            var expiresAt = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(exp, 0, 253402300799));
            if (expiresAt <= now)
            {
                return IntrospectionResult.Inactive(ReasonExpired);
            }

            if (!Strings(root, "aud").Contains(options.Audience, StringComparer.Ordinal))
            {
                return IntrospectionResult.Inactive(ReasonAudience);
            }

            // RFC 7662 makes iss optional; when the endpoint names one, it must be the expected issuer.
            var issuer = String(root, "iss") ?? options.Issuer;
            if (options.Issuer is { } expectedIssuer && !string.Equals(issuer, expectedIssuer, StringComparison.Ordinal))
            {
                return IntrospectionResult.Inactive(ReasonIssuer);
            }

            var clientId = String(root, "client_id");
            var subject = String(root, "sub") ?? clientId;
            if (string.IsNullOrEmpty(subject))
            {
                return IntrospectionResult.Inactive(ReasonClaims);
            }

            var caller = new AuthenticatedCaller(
                subject,
                clientId,
                (String(root, "scope") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries),
                String(root, "tenant_id"),
                issuer ?? string.Empty,
                expiresAt,
                tokenHash)
            {
                Scheme = IntrospectionAuthenticationScheme.SchemeName,
                Roles = Strings(root, "roles"),
                Email = String(root, "email"),
                SessionId = String(root, "sid"),
                AccessToken = token,
                TokenId = String(root, "jti"),
                IssuedAt = root.TryGetProperty("iat", out var iat) && iat.ValueKind == JsonValueKind.Number && iat.TryGetInt64(out var iatSeconds)
                    && iatSeconds is >= 0 and <= 253402300799 ? DateTimeOffset.FromUnixTimeSeconds(iatSeconds) : null,
            };
            return new IntrospectionResult(caller, null);
        }
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A member that is a string, an array of strings or (for roles and aud) a space-free single value.</summary>
    private static string[] Strings(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value))
        {
            return [];
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => [value.GetString()!],
            JsonValueKind.Array => [.. value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)],
            _ => [],
        };
    }
}
