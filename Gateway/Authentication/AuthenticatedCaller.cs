namespace Reference.Gateway.Authentication;

/// <summary>
/// The identity the gateway established for a request, from a verified access token. Stored in
/// <c>HttpContext.Features</c>; identity propagation reads it (never the raw inbound headers).
/// </summary>
internal sealed record AuthenticatedCaller(
    string Subject,
    string? ClientId,
    IReadOnlyList<string> Scopes,
    string? TenantId,
    string Issuer,
    DateTimeOffset ExpiresAt,
    string TokenHash);
