namespace Reference.IdentityProvider.Sessions;

/// <summary>IdP login sessions in Redis. Every method throws a <see cref="Reference.Redis.RedisException"/> when
/// Redis is unavailable; callers fail closed.</summary>
internal interface ISessionStore
{
    /// <summary>Creates a session with a new random 256-bit id (never reuses one: no fixation).</summary>
    ValueTask<IdpSession> CreateAsync(string subjectId, DateTimeOffset authTime, CancellationToken cancellationToken);

    /// <summary>The live session, or null when unknown, expired or malformed.</summary>
    ValueTask<IdpSession?> FindAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>Records that <paramref name="clientId"/> received a code from the session (for back-channel logout).</summary>
    ValueTask AddClientAsync(string sessionId, string clientId, CancellationToken cancellationToken);

    /// <summary>Deletes the session and returns what it was, or null if it no longer existed.</summary>
    ValueTask<IdpSession?> DeleteAsync(string sessionId, CancellationToken cancellationToken);
}
