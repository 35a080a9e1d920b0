using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Reference.IdentityProvider.Options;
using Reference.Redis;

namespace Reference.IdentityProvider.Sessions;

/// <summary><c>{prefix}session:{sha256(sid) hex}</c> holds the session as JSON; its expiry instant is in the value
/// (checked against <see cref="TimeProvider"/>), the Redis TTL only collects garbage.</summary>
internal sealed class RedisSessionStore(RedisClient redis, IOptions<IdentityProviderOptions> options, TimeProvider timeProvider) : ISessionStore
{
    /// <summary>base64url of 32 random bytes.</summary>
    public const int SessionIdLength = 43;

    // KEYS[1] session; ARGV[1] client id. Adds the client to the JSON's client list without losing concurrent adds
    // (read-modify-write inside one script) and keeps the TTL.
    private const string AddClientScript = """
        local raw = redis.call('GET', KEYS[1])
        if not raw then return 0 end
        local session = cjson.decode(raw)
        if type(session.clients) ~= 'table' then session.clients = {} end
        for _, c in ipairs(session.clients) do
          if c == ARGV[1] then return 1 end
        end
        table.insert(session.clients, ARGV[1])
        redis.call('SET', KEYS[1], cjson.encode(session), 'KEEPTTL')
        return 1
        """;

    public async ValueTask<IdpSession> CreateAsync(string subjectId, DateTimeOffset authTime, CancellationToken cancellationToken)
    {
        var id = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var lifetime = options.Value.SessionLifetime;
        var session = new IdpSession(subjectId, authTime, authTime + lifetime, []) { Id = id };
        var json = JsonSerializer.SerializeToUtf8Bytes(session, IdentityProviderJsonContext.Default.IdpSession);
        var ttl = session.ExpiresAt - timeProvider.GetUtcNow();
        await redis.SetAsync(Key(id), json, ttl < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : ttl, SetCondition.NotExists, cancellationToken: cancellationToken);
        return session;
    }

    public async ValueTask<IdpSession?> FindAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (!IsWellFormed(sessionId))
        {
            return null;
        }

        var value = await redis.GetAsync(Key(sessionId), cancellationToken);
        var session = Parse(value, sessionId);
        return session is not null && session.ExpiresAt > timeProvider.GetUtcNow() ? session : null;
    }

    public async ValueTask AddClientAsync(string sessionId, string clientId, CancellationToken cancellationToken) =>
        await redis.ScriptEvaluateAsync(AddClientScript, [Key(sessionId)], [clientId], cancellationToken);

    public async ValueTask<IdpSession?> DeleteAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (!IsWellFormed(sessionId))
        {
            return null;
        }

        var value = await redis.GetDeleteAsync(Key(sessionId), cancellationToken);
        return Parse(value, sessionId);
    }

    public static bool IsWellFormed(string? sessionId) =>
        sessionId is { Length: SessionIdLength } && Base64Url.IsValid(sessionId);

    private static IdpSession? Parse(RedisValue value, string sessionId)
    {
        if (value.IsNull)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(value.ToArray()!, IdentityProviderJsonContext.Default.IdpSession) is { } session
                ? session with { Id = sessionId }
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private string Key(string sessionId) =>
        $"{options.Value.KeyPrefix}session:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sessionId)))}";
}
