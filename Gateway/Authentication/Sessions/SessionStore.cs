using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Reference.Redis;

namespace Reference.Gateway.Authentication.Sessions;

/// <summary>
/// Sessions in Redis. Keys (all under <see cref="BffOptions.KeyPrefix"/>): <c>session:{sha256(id)}</c> (the record),
/// <c>sessions-by-sid:{sid}</c> and <c>sessions-by-sub:{sub}</c> (sets of session hashes, for back-channel logout),
/// <c>bff-state:{sha256(state)}</c> (login state, single use), <c>session-lock:{hash}</c> (refresh lock),
/// <c>logout-jti:{sha256(jti)}</c> (replay detection). Every call may throw <see cref="RedisException"/>: callers
/// fail closed.
/// </summary>
internal sealed class SessionStore
{
    private const string ReleaseLockScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly RedisClient _redis;
    private readonly BffOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly SessionTelemetry _telemetry;

    public SessionStore(RedisClient redis, IOptions<BffOptions> options, TimeProvider timeProvider, SessionTelemetry telemetry)
    {
        ArgumentNullException.ThrowIfNull(options);
        _redis = redis;
        _options = options.Value;
        _timeProvider = timeProvider;
        _telemetry = telemetry;
    }

    /// <summary>Hex SHA-256: the session id, state and jti are stored only hashed.</summary>
    public static string Hash(string value)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(value), hash);
        return Convert.ToHexStringLower(hash);
    }

    public async Task<SessionRecord?> GetAsync(string sessionHash, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        try
        {
            var value = await _redis.GetAsync(SessionKey(sessionHash), cancellationToken);
            return value.IsNull ? null : JsonSerializer.Deserialize<SessionRecord>(value.ToString(), Json);
        }
        catch (JsonException)
        {
            // Not ours, or from an incompatible version: treat as no session.
            return null;
        }
        finally
        {
            _telemetry.RecordStoreLatency("get", _timeProvider.GetElapsedTime(started));
        }
    }

    /// <summary>Stores the record and indexes it by sid and sub.</summary>
    public async Task SaveAsync(string sessionHash, SessionRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var started = _timeProvider.GetTimestamp();
        var now = _timeProvider.GetUtcNow();
        var ttl = Ttl(record.ExpiresAt(_options.SlidingExpiration) - now);
        await _redis.SetAsync(SessionKey(sessionHash), JsonSerializer.Serialize(record, Json), ttl, cancellationToken: cancellationToken);
        var indexTtl = Ttl(record.AbsoluteExpiresAt - now);
        if (record.Sid is { Length: > 0 } sid)
        {
            await IndexAsync(SidKey(sid), sessionHash, indexTtl, cancellationToken);
        }

        await IndexAsync(SubKey(record.Subject), sessionHash, indexTtl, cancellationToken);
        _telemetry.RecordStoreLatency("save", _timeProvider.GetElapsedTime(started));
    }

    public async Task DeleteAsync(string sessionHash, SessionRecord? record, CancellationToken cancellationToken)
    {
        await _redis.DeleteAsync(SessionKey(sessionHash), cancellationToken);
        if (record?.Sid is { Length: > 0 } sid)
        {
            await _redis.SetRemoveAsync(SidKey(sid), sessionHash, cancellationToken);
        }

        if (record is not null)
        {
            await _redis.SetRemoveAsync(SubKey(record.Subject), sessionHash, cancellationToken);
        }
    }

    /// <summary>Deletes every session indexed under the sid (when given) and/or the sub. Returns how many were deleted.</summary>
    public async Task<long> DeleteBySidOrSubAsync(string? sid, string? sub, CancellationToken cancellationToken)
    {
        var indexKeys = new List<string>();
        if (!string.IsNullOrEmpty(sid))
        {
            indexKeys.Add(SidKey(sid));
        }
        else if (!string.IsNullOrEmpty(sub))
        {
            // OIDC Back-Channel Logout §2.4: with sid, log out that session; with only sub, every session of the user.
            indexKeys.Add(SubKey(sub));
        }

        long deleted = 0;
        foreach (var indexKey in indexKeys)
        {
            var members = await _redis.SetMembersAsync(indexKey, cancellationToken);
            if (members.Count > 0)
            {
                deleted += await _redis.DeleteAsync(members.Select(m => SessionKey(m.ToString())), cancellationToken);
            }

            await _redis.DeleteAsync(indexKey, cancellationToken);
        }

        return deleted;
    }

    /// <summary>Deletes the subject's sessions created at or before <paramref name="revokedAt"/>; later ones survive.</summary>
    public async Task<long> DeleteSubjectSessionsAsync(string sub, DateTimeOffset revokedAt, CancellationToken cancellationToken)
    {
        var indexKey = SubKey(sub);
        long deleted = 0;
        foreach (var member in await _redis.SetMembersAsync(indexKey, cancellationToken))
        {
            var hash = member.ToString();
            var record = await GetAsync(hash, cancellationToken);
            if (record is null)
            {
                await _redis.SetRemoveAsync(indexKey, hash, cancellationToken);
            }
            else if (record.CreatedAt <= revokedAt)
            {
                await DeleteAsync(hash, record, cancellationToken);
                deleted++;
            }
        }

        return deleted;
    }

    public Task SaveLoginStateAsync(string state, LoginState loginState, CancellationToken cancellationToken) =>
        _redis.SetAsync(StateKey(state), JsonSerializer.Serialize(loginState, Json), Ttl(_options.LoginStateLifetime), cancellationToken: cancellationToken);

    /// <summary>Reads and deletes the login state in one step: a state is usable once.</summary>
    public async Task<LoginState?> TakeLoginStateAsync(string state, CancellationToken cancellationToken)
    {
        var value = await _redis.GetDeleteAsync(StateKey(state), cancellationToken);
        if (value.IsNull)
        {
            return null;
        }

        try
        {
            var loginState = JsonSerializer.Deserialize<LoginState>(value.ToString(), Json);
            return loginState is not null && loginState.ExpiresAt > _timeProvider.GetUtcNow() ? loginState : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>SET NX PX: true when this caller now holds the session's refresh lock.</summary>
    public Task<bool> TryAcquireRefreshLockAsync(string sessionHash, string owner, CancellationToken cancellationToken) =>
        _redis.SetAsync(LockKey(sessionHash), owner, _options.RefreshLockDuration, SetCondition.NotExists, cancellationToken: cancellationToken);

    /// <summary>Releases the lock only if this caller still holds it (compare-and-delete, atomic in Lua).</summary>
    public Task ReleaseRefreshLockAsync(string sessionHash, string owner, CancellationToken cancellationToken) =>
        _redis.ScriptEvaluateAsync(ReleaseLockScript, [LockKey(sessionHash)], [owner], cancellationToken);

    /// <summary>Records a logout token's jti until it expires; false when it was already seen (a replay).</summary>
    public Task<bool> TryRecordLogoutJtiAsync(string jti, TimeSpan lifetime, CancellationToken cancellationToken) =>
        _redis.SetAsync(Key("logout-jti:" + Hash(jti)), "1", Ttl(lifetime), SetCondition.NotExists, cancellationToken: cancellationToken);

    private async Task IndexAsync(string indexKey, string sessionHash, TimeSpan ttl, CancellationToken cancellationToken)
    {
        await _redis.SetAddAsync(indexKey, sessionHash, cancellationToken);
        var current = await _redis.GetTimeToLiveAsync(indexKey, cancellationToken);
        if (current is null || current < ttl)
        {
            await _redis.ExpireAsync(indexKey, ttl, cancellationToken);
        }
    }

    private static TimeSpan Ttl(TimeSpan remaining) => remaining < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : remaining;

    private string Key(string suffix) => _options.KeyPrefix + suffix;

    internal string SessionKey(string sessionHash) => Key("session:" + sessionHash);

    internal string SidKey(string sid) => Key("sessions-by-sid:" + sid);

    internal string SubKey(string sub) => Key("sessions-by-sub:" + sub);

    private string StateKey(string state) => Key("bff-state:" + Hash(state));

    private string LockKey(string sessionHash) => Key("session-lock:" + sessionHash);
}
