namespace Reference.Gateway.Authentication;

/// <summary>
/// The identity the gateway established for a request, from a verified access token, an introspection result or a
/// server-side session. Stored in <c>HttpContext.Features</c>; identity propagation reads it (never the raw inbound
/// headers).
/// </summary>
internal sealed record AuthenticatedCaller(
    string Subject,
    string? ClientId,
    IReadOnlyList<string> Scopes,
    string? TenantId,
    string Issuer,
    DateTimeOffset ExpiresAt,
    string TokenHash)
{
    /// <summary>The scheme that authenticated the request: <c>jwt</c>, <c>introspection</c> or <c>session</c>.</summary>
    public string Scheme { get; init; } = "jwt";

    public IReadOnlyList<string> Roles { get; init; } = [];

    public string? Email { get; init; }

    /// <summary>The IdP session (<c>sid</c>) or the gateway's session id hash, when known.</summary>
    public string? SessionId { get; init; }

    /// <summary>The access token's <c>jti</c>, when known: what a token revocation names.</summary>
    public string? TokenId { get; init; }

    /// <summary>When the token (or, for a session, the session) was issued: what a subject revocation compares with.</summary>
    public DateTimeOffset? IssuedAt { get; init; }

    /// <summary>What the revocation denylist needs of this caller.</summary>
    public Reference.ServiceDefaults.Revocation.RevocationSubject RevocationSubject => new([TokenId], SessionId, Subject, IssuedAt);

    /// <summary>
    /// The access token the caller presented, or the session's access token: a bearer credential, kept only for
    /// propagation modes that need it (token exchange, pass-through). Never log it.
    /// </summary>
    public string? AccessToken { get; init; }

    // The generated ToString would print AccessToken: a record that reaches a log must never carry the token.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Scheme = {Scheme}, Subject = {Subject}, ClientId = {ClientId}, TenantId = {TenantId}, Issuer = {Issuer}, TokenHash = {TokenHash}");
        return true;
    }
}
