namespace Reference.Gateway.Authentication.Jwt;

/// <summary>
/// Why a token was rejected: <see cref="Reason"/> is a stable code for metrics and logs,
/// <see cref="Description"/> the fixed text sent as <c>error_description</c> (never token content, so it is
/// always safe inside a quoted WWW-Authenticate parameter).
/// </summary>
internal sealed record JwtValidationFailure(string Reason, string Description)
{
    public static readonly JwtValidationFailure TooLong = new("token_too_long", "The token is too long.");
    public static readonly JwtValidationFailure Malformed = new("malformed", "The token is not a well-formed signed JWT.");
    public static readonly JwtValidationFailure DuplicateMember = new("duplicate_member", "The token contains a duplicate JSON member.");
    public static readonly JwtValidationFailure UnsupportedAlgorithm = new("unsupported_algorithm", "The token's signing algorithm is not accepted.");
    public static readonly JwtValidationFailure ForbiddenHeader = new("forbidden_header", "The token header contains a parameter that is not accepted.");
    public static readonly JwtValidationFailure NestedToken = new("nested_token", "Nested or encrypted tokens are not accepted.");
    public static readonly JwtValidationFailure MissingKeyId = new("missing_kid", "The token header has no valid key identifier.");
    public static readonly JwtValidationFailure InvalidType = new("invalid_type", "The token type is not at+jwt.");
    public static readonly JwtValidationFailure InvalidIssuer = new("invalid_issuer", "The token issuer is not accepted.");
    public static readonly JwtValidationFailure InvalidAudience = new("invalid_audience", "The token audience is not accepted.");
    public static readonly JwtValidationFailure InvalidClaims = new("invalid_claims", "The token contains an invalid claim.");
    public static readonly JwtValidationFailure MissingSubject = new("missing_subject", "The token has no subject.");
    public static readonly JwtValidationFailure UnknownSigningKey = new("unknown_signing_key", "The token's signing key is unknown.");
    public static readonly JwtValidationFailure KeyMismatch = new("key_mismatch", "The token's signing key does not match its algorithm.");
    public static readonly JwtValidationFailure KeysUnavailable = new("keys_unavailable", "The issuer's signing keys are not available.");
    public static readonly JwtValidationFailure InvalidSignature = new("invalid_signature", "The token signature is invalid.");
    public static readonly JwtValidationFailure Expired = new("token_expired", "The token has expired.");
    public static readonly JwtValidationFailure NotYetValid = new("not_yet_valid", "The token is not yet valid.");
    public static readonly JwtValidationFailure MissingExpiration = new("missing_exp", "The token has no expiration time.");
    public static readonly JwtValidationFailure Invalid = new("invalid_token", "The token is invalid.");
}
