namespace Reference.IdentityProvider.Validation;

/// <summary>What a client id may look like; presented ids outside it fail authentication before any lookup.</summary>
internal static class ClientIdSyntax
{
    public const int MaxLength = 200;

    public static bool IsValid(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            // ':' cannot be carried in client_secret_basic without ambiguity for clients that skip the form-encoding step.
            if (c is < '\x21' or > '\x7E' or ':')
            {
                return false;
            }
        }

        return true;
    }
}
