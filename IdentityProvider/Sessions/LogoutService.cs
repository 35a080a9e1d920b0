using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Reference.IdentityProvider.Account;
using Reference.IdentityProvider.Options;
using Reference.IdentityProvider.Stores;
using Reference.Redis;

namespace Reference.IdentityProvider.Sessions;

/// <summary>
/// Ends an IdP session: deletes it, records <c>revoked:sid:{sid}</c> and publishes <c>{"type":"sid",...}</c> on
/// <c>reference:revocations</c> (the shared revocation contract, unprefixed because gateways read it), then sends
/// back-channel logout tokens to the session's clients.
/// </summary>
internal sealed class LogoutService(
    ISessionStore sessions,
    IClientStore clients,
    BackChannelLogoutNotifier notifier,
    RedisClient redis,
    IOptions<IdentityProviderOptions> options,
    TimeProvider timeProvider,
    ILogger<LogoutService> logger)
{
    public const string RevocationChannel = "reference:revocations";

    /// <summary>Returns the ended session, or null when it no longer existed.</summary>
    public async Task<IdpSession?> EndSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        var session = await sessions.DeleteAsync(sessionId, cancellationToken);
        if (session is null)
        {
            return null;
        }

        var sessionClients = new List<Client>();
        foreach (var clientId in session.Clients)
        {
            if (await clients.FindClientByIdAsync(clientId, cancellationToken) is { } client)
            {
                sessionClients.Add(client);
            }
        }

        // The denylist entry must outlive every token the session produced: access and ID tokens, and the refresh
        // tokens of clients that may hold them.
        var o = options.Value;
        var longest = new[] { o.AccessTokenLifetime, o.IdTokenLifetime }
            .Concat(o.Clients.Values.Select(c => c.AccessTokenLifetime ?? TimeSpan.Zero))
            .Concat(sessionClients.Where(c => c.AllowOfflineAccess).Select(c => c.RefreshTokenAbsoluteLifetime))
            .Max();
        var now = timeProvider.GetUtcNow();
        var exp = (now + longest).ToUnixTimeSeconds();
        await redis.SetAsync($"revoked:sid:{session.Id}", now.ToUnixTimeSeconds(), longest, cancellationToken: cancellationToken);
        var message = new JsonObject { ["type"] = "sid", ["value"] = session.Id, ["exp"] = exp };
        await redis.PublishAsync(RevocationChannel, message.ToJsonString(), cancellationToken);

        var notified = await notifier.NotifyAsync(session, sessionClients, cancellationToken);
        var sessionHash = LoginEndpoint.ShortHash(session.Id);
        AccountLog.LoggedOut(logger, session.SubjectId, sessionHash, notified);
        return session;
    }
}
