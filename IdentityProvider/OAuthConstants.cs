namespace Reference.IdentityProvider;

/// <summary>Protocol names from RFC 6749, RFC 7591 and OpenID Connect Discovery.</summary>
internal static class OAuthConstants
{
    public static class GrantTypes
    {
        public const string ClientCredentials = "client_credentials";
        public const string AuthorizationCode = "authorization_code";
        public const string RefreshToken = "refresh_token";
        public const string TokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange";
    }

    /// <summary>OpenID Connect Core §5.4 / §11 scopes: they ask for user claims or refresh tokens, not for an API,
    /// so they need no API resource.</summary>
    public static class IdentityScopes
    {
        public const string OpenId = "openid";
        public const string Profile = "profile";
        public const string Email = "email";
        public const string OfflineAccess = "offline_access";

        public static readonly IReadOnlyList<string> All = [OpenId, Profile, Email, OfflineAccess];

        public static bool IsIdentityScope(string scope) => All.Contains(scope, StringComparer.Ordinal);
    }

    public static class ClientAuthenticationMethods
    {
        public const string ClientSecretBasic = "client_secret_basic";
        public const string ClientSecretPost = "client_secret_post";
        public const string PrivateKeyJwt = "private_key_jwt";

        /// <summary>Public clients (RFC 7591 §2): <c>client_id</c> in the body, no credentials.</summary>
        public const string None = "none";
    }

    public static class TokenRequestParameters
    {
        public const string GrantType = "grant_type";
        public const string Scope = "scope";
        public const string ClientId = "client_id";
        public const string ClientSecret = "client_secret";
        public const string Code = "code";
        public const string RedirectUri = "redirect_uri";
        public const string CodeVerifier = "code_verifier";
        public const string RefreshToken = "refresh_token";
        public const string ClientAssertion = "client_assertion";
        public const string ClientAssertionType = "client_assertion_type";
        public const string Token = "token";
        public const string TokenTypeHint = "token_type_hint";
    }

    /// <summary>RFC 7523 §2.2.</summary>
    public const string JwtBearerClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    /// <summary>RFC 6749 §5.2 error codes.</summary>
    public static class Errors
    {
        public const string InvalidRequest = "invalid_request";
        public const string InvalidClient = "invalid_client";

        /// <summary>Not produced by <c>client_credentials</c> (there is no grant to be invalid); issue 4's
        /// authorization_code, refresh_token and token-exchange grants use it.</summary>
        public const string InvalidGrant = "invalid_grant";
        public const string UnauthorizedClient = "unauthorized_client";
        public const string UnsupportedGrantType = "unsupported_grant_type";
        public const string InvalidScope = "invalid_scope";

        /// <summary>RFC 6749 §4.1.2.1; answered with 503 when operational storage (Redis) is unavailable.</summary>
        public const string TemporarilyUnavailable = "temporarily_unavailable";

        /// <summary>RFC 7009 §2.2.1.</summary>
        public const string UnsupportedTokenType = "unsupported_token_type";
    }

    public static class TokenTypes
    {
        public const string Bearer = "Bearer";

        /// <summary>The JOSE <c>typ</c> of an RFC 9068 access token.</summary>
        public const string AccessTokenJwt = "at+jwt";
    }

    /// <summary>Registered JWT claims and RFC 9068 / RFC 8693 claims a client's configured claims may not override.</summary>
    public static class Claims
    {
        public const string Subject = "sub";
        public const string ClientId = "client_id";
        public const string Scope = "scope";
        public const string JwtId = "jti";
        public const string Actor = "act";

        public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.Ordinal)
        {
            "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "client_id", "scope", "cnf", "act", "may_act",
            "auth_time", "acr", "amr", "azp", "nonce", "at_hash", "c_hash", "sid", "typ",
        };
    }
}
