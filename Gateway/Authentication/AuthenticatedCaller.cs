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
