namespace Reference.IdentityProvider.Validation;

/// <summary>
/// What a registered redirect (or post-logout, or back-channel logout) URI must look like (RFC 9700 §2.1, §4.1.3;
/// RFC 8252 §8.3): absolute, https (http only on a loopback host), no fragment, no wildcard, no user information.
/// Requests are then matched against the registered strings exactly (ordinal).
/// </summary>
internal static class RedirectUriRules
{
    public const int MaxLength = 2048;

    /// <summary>Null when <paramref name="uri"/> is acceptable, otherwise why not (a sentence fragment).</summary>
    public static string? Check(string? uri)
    {
        if (string.IsNullOrEmpty(uri) || uri.Length > MaxLength)
        {
            return $"must be 1 to {MaxLength} characters.";
        }

        if (uri.Contains('*', StringComparison.Ordinal))
        {
            return "must not contain a wildcard: redirect URIs are matched exactly.";
        }

        if (uri.Contains('#', StringComparison.Ordinal))
        {
            return "must not contain a fragment (RFC 6749 §3.1.2).";
        }

        // Checked on the string too: on Unix, Uri parses "/callback" as an absolute file: URI.
        if (!uri.Contains("://", StringComparison.Ordinal) || !Uri.TryCreate(uri, UriKind.Absolute, out var parsed))
        {
            return "is not an absolute URI.";
        }

        if (parsed.UserInfo.Length > 0 || uri.Contains('@', StringComparison.Ordinal))
        {
            return "must not contain user information.";
        }

        if (uri.Any(c => c is <= ' ' or > '~'))
        {
            return "must be printable ASCII without spaces.";
        }

        if (parsed.Scheme == Uri.UriSchemeHttps)
        {
            return null;
        }

        if (parsed.Scheme == Uri.UriSchemeHttp && IsLoopback(parsed.Host))
        {
            return null;
        }

        return "must use https (http only for localhost, 127.0.0.1 or [::1]).";
    }

    private static bool IsLoopback(string host) =>
        host is "localhost" or "127.0.0.1" or "[::1]";
}
