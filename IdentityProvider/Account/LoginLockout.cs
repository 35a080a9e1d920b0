using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Reference.IdentityProvider.Options;
using Reference.Redis;

namespace Reference.IdentityProvider.Account;

/// <summary>
/// Locks a username for <see cref="LockoutDuration"/> after <see cref="MaxFailures"/> failed logins within
/// <see cref="FailureWindow"/>. Keyed by the SHA-256 of the normalised username, whether or not the user exists
/// (so lockout behaviour does not reveal which usernames exist), in <c>{prefix}lockout:{hex}</c>. Instants come
/// from <see cref="TimeProvider"/> and live in the value; the Redis TTL only collects garbage.
/// </summary>
internal sealed class LoginLockout(RedisClient redis, IOptions<IdentityProviderOptions> options, TimeProvider timeProvider)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan FailureWindow = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);

    // KEYS[1]; ARGV: now, window, max failures, lockout duration (seconds). Fields: ws window start, c count, lu
    // locked until. Returns {locked now (0/1), locked until}.
    private const string FailureScript = """
        local now = tonumber(ARGV[1])
        local lu = tonumber(redis.call('HGET', KEYS[1], 'lu') or '0')
        if lu > now then return {0, lu} end
        local ws = tonumber(redis.call('HGET', KEYS[1], 'ws') or '0')
        local c = 0
        if now - ws < tonumber(ARGV[2]) then c = tonumber(redis.call('HGET', KEYS[1], 'c') or '0') else ws = now end
        c = c + 1
        local locked = 0
        if c >= tonumber(ARGV[3]) then
          lu = now + tonumber(ARGV[4]); c = 0; ws = now; locked = 1
        end
        redis.call('HSET', KEYS[1], 'ws', ws, 'c', c, 'lu', lu)
        redis.call('EXPIRE', KEYS[1], math.max(tonumber(ARGV[2]), tonumber(ARGV[4])) + 60)
        return {locked, lu}
        """;

    /// <summary>The instant until which the username is locked, or null.</summary>
    public async ValueTask<DateTimeOffset?> GetLockedUntilAsync(string normalizedUsername, CancellationToken cancellationToken)
    {
        var value = await redis.HashGetAsync(Key(normalizedUsername), "lu", cancellationToken);
        if (value.IsNull || !long.TryParse(value.ToString(), out var seconds))
        {
            return null;
        }

        var until = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return until > timeProvider.GetUtcNow() ? until : null;
    }

    /// <summary>Counts a failure; true when this failure locked the username.</summary>
    public async ValueTask<bool> RecordFailureAsync(string normalizedUsername, CancellationToken cancellationToken)
    {
        var result = await redis.ScriptEvaluateAsync(
            FailureScript,
            [Key(normalizedUsername)],
            [timeProvider.GetUtcNow().ToUnixTimeSeconds(), (long)FailureWindow.TotalSeconds, MaxFailures, (long)LockoutDuration.TotalSeconds],
            cancellationToken);
        return result.Items[0].ToInt64() == 1;
    }

    public async ValueTask ResetAsync(string normalizedUsername, CancellationToken cancellationToken) =>
        await redis.DeleteAsync(Key(normalizedUsername), cancellationToken);

    public static string Hash(string normalizedUsername) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalizedUsername)));

    private string Key(string normalizedUsername) => $"{options.Value.KeyPrefix}lockout:{Hash(normalizedUsername)}";
}
