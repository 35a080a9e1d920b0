using Reference.Redis;
using Reference.ServiceDefaults.Revocation;

namespace Reference.Gateway.Authentication.Sessions;

/// <summary>
/// Ends BFF sessions in Redis when their IdP session (<c>sid</c>) or their subject is revoked (a subject's sessions
/// created at or before the revocation instant only). The deletion runs in the background: until it is done, and if
/// Redis fails, the authentication stage still refuses the session's requests from the in-memory denylist (the
/// session's <c>sid</c>, <c>sub</c> with its creation time, and its access token's <c>jti</c>). Sessions hold no
/// in-memory copy, so there is nothing else to evict.
/// </summary>
internal sealed class SessionRevocationListener(SessionStore store, ILogger<SessionRevocationListener> logger) : IRevocationListener
{
    public int OnRevoked(RevocationEntry revocation)
    {
        if (revocation.Kind is not (RevocationKind.Session or RevocationKind.Subject))
        {
            return 0;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                var deleted = revocation.Kind == RevocationKind.Session
                    ? await store.DeleteBySidOrSubAsync(revocation.Value, null, CancellationToken.None)
                    : await store.DeleteSubjectSessionsAsync(revocation.Value, revocation.RevokedAt, CancellationToken.None);
                if (deleted > 0)
                {
                    SessionLog.SessionsRevoked(logger, deleted, revocation.Kind);
                }
            }
            catch (RedisException ex)
            {
                SessionLog.SessionRevocationFailed(logger, revocation.Kind, ex);
            }
        });
        return 0;
    }
}
