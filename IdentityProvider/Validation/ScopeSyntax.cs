namespace Reference.IdentityProvider.Validation;

/// <summary>RFC 6749 §3.3: <c>scope-token = 1*( %x21 / %x23-5B / %x5D-7E )</c>, separated by single spaces.</summary>
internal static class ScopeSyntax
{
    public const int MaxTokenLength = 200;

    public static bool IsValidToken(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxTokenLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c is < '\x21' or > '\x7E' or '"' or '\\')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Splits a <c>scope</c> parameter; <see langword="null"/> when it is malformed (empty tokens from
    /// leading, trailing or doubled spaces, or characters outside the scope-token grammar).</summary>
    public static IReadOnlyList<string>? Parse(string value)
    {
        var tokens = value.Split(' ');
        var result = new List<string>(tokens.Length);
        foreach (var token in tokens)
        {
            if (!IsValidToken(token))
            {
                return null;
            }

            if (!result.Contains(token, StringComparer.Ordinal))
            {
                result.Add(token);
            }
        }

        return result;
    }
}
