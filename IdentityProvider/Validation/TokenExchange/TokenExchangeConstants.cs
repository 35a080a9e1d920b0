namespace Reference.IdentityProvider.Validation.TokenExchange;

/// <summary>RFC 8693 request parameters (§2.1) and token type identifiers (§3).</summary>
internal static class TokenExchangeConstants
{
    public const string SubjectToken = "subject_token";
    public const string SubjectTokenType = "subject_token_type";
    public const string ActorToken = "actor_token";
    public const string ActorTokenType = "actor_token_type";
    public const string RequestedTokenType = "requested_token_type";
    public const string Audience = "audience";
    public const string Resource = "resource";

    public const string AccessTokenType = "urn:ietf:params:oauth:token-type:access_token";
    public const string JwtTokenType = "urn:ietf:params:oauth:token-type:jwt";

    /// <summary>RFC 8693 §4.1 and §4.4.</summary>
    public const string ActClaim = "act";
    public const string MayActClaim = "may_act";

    /// <summary>RFC 8693 §2.2.2 (RFC 8707 §2): the requested audience or resource is not acceptable.</summary>
    public const string InvalidTarget = "invalid_target";

    /// <summary>The subject's claims an exchanged token keeps (beside <c>sub</c>, <c>act</c> and <c>scope</c>).</summary>
    public static IReadOnlyList<string> CarriedClaims { get; } = ["tenant_id", "roles", "email"];

    /// <summary>Both input types name the same thing here: one of our RFC 9068 JWT access tokens.</summary>
    public static bool IsSupportedInputType(string value) => value is AccessTokenType or JwtTokenType;
}
