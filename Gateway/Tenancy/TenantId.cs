namespace Reference.Gateway.Tenancy;

/// <summary>The tenant id format: 1-63 lower-case letters, digits and '-', starting with a letter or digit (a DNS label).</summary>
internal static class TenantId
{
    public const int MaxLength = 63;

    public static bool IsValid(string? value) =>
        !string.IsNullOrEmpty(value) && value.Length <= MaxLength && char.IsAsciiLetterOrDigit(value[0])
        && value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
