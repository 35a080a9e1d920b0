namespace Reference.Gateway.Authentication.Sessions;

/// <summary>
/// The <c>session</c> scheme (the BFF pattern): the request carries the session cookie; the session's server-side
/// access token becomes the caller. State-changing requests need the anti-CSRF signal (403 <c>csrf_required</c>).
/// An unknown, malformed or expired session is 401 and the cookie is cleared; with Redis unavailable the request
/// fails closed (503 <c>temporarily_unavailable</c>).
/// </summary>
internal sealed class SessionAuthenticationScheme(SessionManager sessions, ILogger<SessionAuthenticationScheme> logger) : IGatewayAuthenticationScheme
{
    public const string SchemeName = "session";

    public string Name => SchemeName;

    public bool CanHandle(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return SessionCookie.IsPresent(context.Request);
    }

    public async ValueTask<SchemeAuthenticationResult> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!CsrfProtection.IsAllowed(context.Request, out var fetchSite))
        {
            SessionLog.CsrfRejected(logger, fetchSite);
            return SchemeAuthenticationResult.Failure(
                StatusCodes.Status403Forbidden,
                CsrfProtection.Error,
                "State-changing requests on a cookie session need the X-CSRF: 1 header from the same site.",
                CsrfProtection.Error);
        }

        var lookup = await sessions.GetAsync(context, refreshTokens: true, cancellationToken);
        switch (lookup.Status)
        {
            case SessionStatus.Active:
                return SchemeAuthenticationResult.Success(ToCaller(lookup.Record!));
            case SessionStatus.StoreUnavailable:
                return Unavailable("session_store_unavailable");
            case SessionStatus.IdentityProviderUnavailable:
                return Unavailable("identity_provider_unavailable");
            default:
                SessionCookie.Clear(context);
                var reason = lookup.Status switch
                {
                    SessionStatus.Malformed => "session_malformed",
                    SessionStatus.Expired => "session_expired",
                    SessionStatus.RefreshFailed => "session_refresh_failed",
                    SessionStatus.NoCookie => "session_missing",
                    _ => "session_unknown",
                };
                return SchemeAuthenticationResult.Failure(
                    StatusCodes.Status401Unauthorized, AuthenticationErrors.InvalidToken, "The session is unknown or has expired; sign in again.", reason);
        }
    }

    internal static AuthenticatedCaller ToCaller(SessionRecord record) =>
        new(record.Subject, record.ClientId, record.Scopes, record.TenantId, record.Issuer, record.AccessTokenExpiresAt, TokenHash.Prefix(record.AccessToken))
        {
            Scheme = SchemeName,
            Roles = record.Roles,
            Email = record.Email,
            SessionId = record.Sid,
            AccessToken = record.AccessToken,
            TokenId = record.AccessTokenId,

            // A subject revocation ends every session created before it, whatever tokens it later refreshed to.
            IssuedAt = record.CreatedAt,
        };

    private static SchemeAuthenticationResult Unavailable(string reason) =>
        SchemeAuthenticationResult.Failure(
            StatusCodes.Status503ServiceUnavailable, "temporarily_unavailable", "The session cannot be verified right now; try again later.", reason);
}
