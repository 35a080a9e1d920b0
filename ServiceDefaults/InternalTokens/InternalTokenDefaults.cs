namespace Reference.ServiceDefaults.InternalTokens;

/// <summary>Names shared by the gateway (which signs internal tokens) and the services (which verify them).</summary>
public static class InternalTokenDefaults
{
    /// <summary>The authentication scheme registered by <c>AddInternalTokenValidation()</c>.</summary>
    public const string AuthenticationScheme = "InternalToken";

    /// <summary>The only accepted JOSE <c>typ</c> header.</summary>
    public const string TokenType = "internal+jwt";

    /// <summary>The only accepted signing algorithm.</summary>
    public const string Algorithm = "ES256";
}
