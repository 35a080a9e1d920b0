using System.Globalization;
using System.Text.Json;

namespace Reference.ServiceDefaults.Revocation;

/// <summary>What was revoked: a token (<c>jti</c>), a refresh-token family, an IdP session (<c>sid</c>) or a subject.</summary>
public enum RevocationKind
{
    /// <summary>One token by its <c>jti</c> (an access token, or one issued from a revoked refresh-token family).</summary>
    TokenId,

    /// <summary>A refresh-token family. The IdP also revokes each access token it issued by <c>jti</c>.</summary>
    Family,

    /// <summary>An IdP session: every token carrying this <c>sid</c>.</summary>
    Session,

    /// <summary>A subject: every token of this <c>sub</c> issued at or before <see cref="RevocationEntry.RevokedAt"/>.</summary>
    Subject,
}

/// <summary>One revocation: what, until when it matters, and (for a subject) the instant it took effect.</summary>
/// <param name="Kind">What was revoked.</param>
/// <param name="Value">The jti, family id, sid or sub.</param>
/// <param name="ExpiresAt">Until when it matters (the longest lifetime of the tokens it affects).</param>
/// <param name="RevokedAt">For a subject: tokens issued at or before this instant are revoked.</param>
public readonly record struct RevocationEntry(RevocationKind Kind, string Value, DateTimeOffset ExpiresAt, DateTimeOffset RevokedAt);

/// <summary>
/// The shared contract: channel <c>reference:revocations</c>, messages
/// <c>{"type":"jti"|"family"|"sid"|"sub","value":"...","exp":unix seconds,"iat":unix seconds (optional)}</c>, and the
/// unprefixed denylist keys <c>revoked:jti:{jti}</c>, <c>revoked:sid:{sid}</c>, <c>revoked:sub:{sub}</c> whose value is
/// the revocation instant (unix seconds) and whose TTL is the remaining lifetime.
/// </summary>
public static class RevocationContract
{
    /// <summary>The pub/sub channel.</summary>
    public const string Channel = "reference:revocations";

    /// <summary>The prefix of every denylist key (the catch-up scans <c>revoked:*</c>).</summary>
    public const string KeyPrefix = "revoked:";

    /// <summary>The longest value accepted (a jti, sid or sub is far shorter).</summary>
    public const int MaxValueLength = 512;

    /// <summary>Parses a pub/sub message; null when it is not a valid revocation.</summary>
    public static RevocationEntry? ParseMessage(ReadOnlySpan<byte> json, DateTimeOffset now)
    {
        if (json.Length is 0 or > 4096)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number || !exp.TryGetInt64(out var expSeconds))
            {
                return null;
            }

            var kind = ParseKind(type.GetString());
            var text = value.GetString();
            if (kind is null || !IsValidValue(text) || expSeconds is < 0 or > 253402300799)
            {
                return null;
            }

            var revokedAt = root.TryGetProperty("iat", out var iat) && iat.ValueKind == JsonValueKind.Number && iat.TryGetInt64(out var iatSeconds) && iatSeconds is >= 0 and <= 253402300799
                ? DateTimeOffset.FromUnixTimeSeconds(iatSeconds)
                : now;
            return new RevocationEntry(kind.Value, text!, DateTimeOffset.FromUnixTimeSeconds(expSeconds), revokedAt);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads a denylist key (<c>revoked:{type}:{value}</c>) with its value and remaining TTL; null when it is not one.</summary>
    public static RevocationEntry? ParseKey(string key, string? storedValue, TimeSpan remaining, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!key.StartsWith(KeyPrefix, StringComparison.Ordinal) || remaining <= TimeSpan.Zero)
        {
            return null;
        }

        var rest = key.AsSpan(KeyPrefix.Length);
        var colon = rest.IndexOf(':');
        if (colon <= 0)
        {
            return null;
        }

        var kind = ParseKind(rest[..colon].ToString());
        var value = rest[(colon + 1)..].ToString();
        if (kind is null or RevocationKind.Family || !IsValidValue(value))
        {
            return null;
        }

        // The stored value is the revocation instant; a subject without a readable one is revoked from now (fail closed).
        var revokedAt = long.TryParse(storedValue, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 0 and <= 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : now;
        return new RevocationEntry(kind.Value, value, now + remaining, revokedAt);
    }

    /// <summary>The wire name of a kind: <c>jti</c>, <c>family</c>, <c>sid</c>, <c>sub</c>.</summary>
    public static string TypeName(RevocationKind kind) => kind switch
    {
        RevocationKind.TokenId => "jti",
        RevocationKind.Family => "family",
        RevocationKind.Session => "sid",
        _ => "sub",
    };

    private static RevocationKind? ParseKind(string? type) => type switch
    {
        "jti" => RevocationKind.TokenId,
        "family" => RevocationKind.Family,
        "sid" => RevocationKind.Session,
        "sub" => RevocationKind.Subject,
        _ => null,
    };

    private static bool IsValidValue(string? value) => !string.IsNullOrEmpty(value) && value.Length <= MaxValueLength;
}
