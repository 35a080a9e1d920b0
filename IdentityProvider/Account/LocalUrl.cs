namespace Reference.IdentityProvider.Account;

/// <summary>Open-redirect guard for <c>returnUrl</c>: only a path on this host.</summary>
internal static class LocalUrl
{
    public const int MaxLength = 4096;

    /// <summary>True for <c>/path?query</c>; false for absolute URLs, protocol-relative <c>//host</c>, <c>/\host</c>
    /// (browsers treat a backslash as a slash) and anything with control characters.</summary>
    public static bool IsLocal(string? url) =>
        url is { Length: > 0 and <= MaxLength }
        && url[0] == '/'
        && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.Any(c => char.IsControl(c) || c == '\\');
}
