namespace Reference.ServiceDefaults.InternalTokens;

/// <summary>The claim types of an internal token, as found on the verified <see cref="System.Security.Claims.ClaimsPrincipal"/>.</summary>
public static class InternalTokenClaimTypes
{
    /// <summary>The caller's subject.</summary>
    public const string Subject = "sub";

    /// <summary>The OAuth client the original token was issued to.</summary>
    public const string ClientId = "client_id";

    /// <summary>The caller's tenant.</summary>
    public const string TenantId = "tenant_id";

    /// <summary>One claim per granted scope (the token's space-separated <c>scope</c> is split).</summary>
    public const string Scope = "scope";

    /// <summary>The issuer of the internal token (the gateway).</summary>
    public const string Issuer = "iss";

    /// <summary>The audience of the internal token (this service).</summary>
    public const string Audience = "aud";

    /// <summary>The issuer of the token the gateway validated (the IdentityProvider).</summary>
    public const string OriginalIssuer = "orig_iss";

    /// <summary>The gateway's request id.</summary>
    public const string RequestId = "request_id";

    /// <summary>The verified JOSE <c>typ</c> header, added by the verifier (never taken from the payload).</summary>
    public const string TokenType = "reference:token_type";

    /// <summary>One claim per role.</summary>
    public const string Roles = "roles";

    /// <summary>The caller's email address.</summary>
    public const string Email = "email";

    /// <summary>The <c>jti</c> of the token the gateway validated (or the IdP exchanged), for revocation.</summary>
    public const string OriginalTokenId = "orig_jti";

    /// <summary>The <c>iat</c> (unix seconds) of the original token, for subject revocation.</summary>
    public const string OriginalIssuedAt = "orig_iat";

    /// <summary>The IdP session (<c>sid</c>) of the original token, for session revocation.</summary>
    public const string SessionId = "sid";

    /// <summary>The RFC 8693 actor claim (a JSON object, possibly nested).</summary>
    public const string Actor = "act";
}
