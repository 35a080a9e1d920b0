using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Reference.IdentityProvider.Options;
using Reference.IdentityProvider.Stores.Revocations;
using Reference.Redis;

namespace Reference.IdentityProvider.Stores.RefreshTokens;

/// <summary>
/// Refresh tokens in Redis. <c>{prefix}rt:{sha256(handle)}</c> is a hash (<c>data</c>: the token as JSON, <c>used</c>:
/// set once it was rotated); <c>{prefix}rt-family:{id}</c> is the set of the family's token hashes and
/// <c>{prefix}rt-family-jti:{id}</c> maps the access-token <c>jti</c>s issued from the family to their <c>exp</c>, so
/// that revoking the family can deny them. Rotation and revocation are single Lua scripts: two replicas refreshing
/// the same token concurrently see exactly one success and one reuse.
/// </summary>
/// <remarks>The scripts build token keys from the family set, so the store needs a single Redis node (or all keys
/// in one hash slot), which is what the project deploys.</remarks>
internal sealed class RedisRefreshTokenStore(
    RedisClient redis,
    TokenRevocations revocations,
    IOptions<IdentityProviderOptions> options,
    TimeProvider timeProvider)
{
    // KEYS: token, family set, family jtis. ARGV: data, token ttl ms, token hash, family ttl ms, jti, jti exp, jti ttl ms.
    private const string CreateScript = """
        redis.call('HSET', KEYS[1], 'data', ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        redis.call('SADD', KEYS[2], ARGV[3])
        redis.call('PEXPIRE', KEYS[2], ARGV[4])
        redis.call('HSET', KEYS[3], ARGV[5], ARGV[6])
        redis.call('PEXPIRE', KEYS[3], ARGV[7])
        return 1
        """;

    // KEYS: old token, family set, family jtis, new token. ARGV as CreateScript. Returns 1 rotated, 2 reused, 3 not found.
    private const string RotateScript = """
        if redis.call('EXISTS', KEYS[2]) == 0 or redis.call('EXISTS', KEYS[1]) == 0 then
          return 3
        end
        if redis.call('HSETNX', KEYS[1], 'used', '1') == 0 then
          return 2
        end
        redis.call('HSET', KEYS[4], 'data', ARGV[1])
        redis.call('PEXPIRE', KEYS[4], ARGV[2])
        redis.call('SADD', KEYS[2], ARGV[3])
        redis.call('PEXPIRE', KEYS[2], ARGV[4])
        redis.call('HSET', KEYS[3], ARGV[5], ARGV[6])
        if redis.call('PTTL', KEYS[3]) < tonumber(ARGV[7]) then
          redis.call('PEXPIRE', KEYS[3], ARGV[7])
        end
        return 1
        """;

    // KEYS: family set, family jtis. ARGV[1]: token key prefix. Deletes every token of the family and the family;
    // returns the jti/exp pairs to deny.
    private const string RevokeFamilyScript = """
        local members = redis.call('SMEMBERS', KEYS[1])
        for _, hash in ipairs(members) do
          redis.call('DEL', ARGV[1] .. hash)
        end
        local jtis = redis.call('HGETALL', KEYS[2])
        redis.call('DEL', KEYS[1], KEYS[2])
        return jtis
        """;

    private string Prefix => options.Value.KeyPrefix;

    private string TokenKeyPrefix => Prefix + "rt:";

    public static string NewFamilyId() => TokenHandles.New();

    /// <summary>Starts a family with its first token and the access token issued beside it.</summary>
    public async Task<string> CreateAsync(RefreshToken token, string accessTokenId, DateTimeOffset accessTokenExpiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        var handle = TokenHandles.New();
        var hash = TokenHandles.Hash(handle);
        await redis.ScriptEvaluateAsync(
            CreateScript,
            [TokenKeyPrefix + hash, FamilyKey(token.FamilyId), FamilyJtiKey(token.FamilyId)],
            Arguments(token, hash, accessTokenId, accessTokenExpiresAt),
            cancellationToken);
        return handle;
    }

    public async Task<RefreshTokenEntry?> FindAsync(string handle, CancellationToken cancellationToken)
    {
        if (!TokenHandles.HasHandleShape(handle))
        {
            return null;
        }

        var hash = TokenHandles.Hash(handle);
        var fields = await redis.HashGetAllAsync(TokenKeyPrefix + hash, cancellationToken);
        if (!fields.TryGetValue("data", out var data) || data.IsNull)
        {
            return null;
        }

        var token = JsonSerializer.Deserialize(data.ToArray(), IdentityProviderJsonContext.Default.RefreshToken);
        return token is null ? null : new RefreshTokenEntry(hash, token, fields.ContainsKey("used"));
    }

    /// <summary>Marks <paramref name="oldHash"/> used and stores <paramref name="next"/> in the same family, atomically.</summary>
    public async Task<(RefreshTokenRotationStatus Status, string? Handle)> RotateAsync(
        string oldHash,
        RefreshToken next,
        string accessTokenId,
        DateTimeOffset accessTokenExpiresAt,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(next);
        var handle = TokenHandles.New();
        var hash = TokenHandles.Hash(handle);
        var result = await redis.ScriptEvaluateAsync(
            RotateScript,
            [TokenKeyPrefix + oldHash, FamilyKey(next.FamilyId), FamilyJtiKey(next.FamilyId), TokenKeyPrefix + hash],
            Arguments(next, hash, accessTokenId, accessTokenExpiresAt),
            cancellationToken);
        return result.ToInt64() switch
        {
            1 => (RefreshTokenRotationStatus.Rotated, handle),
            2 => (RefreshTokenRotationStatus.Reused, null),
            _ => (RefreshTokenRotationStatus.NotFound, null),
        };
    }

    /// <summary>Deletes every token of the family, denies every access token issued from it, and announces it.</summary>
    /// <returns>The number of access tokens denied.</returns>
    public async Task<int> RevokeFamilyAsync(string familyId, DateTimeOffset familyExpiresAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(familyId);
        var result = await redis.ScriptEvaluateAsync(RevokeFamilyScript, [FamilyKey(familyId), FamilyJtiKey(familyId)], [TokenKeyPrefix], cancellationToken);
        var items = result.Items;
        var denied = 0;
        var latest = familyExpiresAt;
        for (var i = 0; i + 1 < items.Count; i += 2)
        {
            var jti = items[i].ToString();
            var exp = DateTimeOffset.FromUnixTimeSeconds(long.Parse(items[i + 1].ToString(), CultureInfo.InvariantCulture));
            latest = exp > latest ? exp : latest;
            await revocations.RevokeJtiAsync(jti, exp, cancellationToken);
            denied++;
        }

        await revocations.PublishFamilyAsync(familyId, latest, cancellationToken);
        return denied;
    }

    private List<RedisValue> Arguments(RefreshToken token, string hash, string accessTokenId, DateTimeOffset accessTokenExpiresAt)
    {
        var now = timeProvider.GetUtcNow();
        var familyTtl = TokenHandles.Ttl(token.FamilyExpiresAt, now);
        var jtiTtl = TokenHandles.Ttl(accessTokenExpiresAt > token.FamilyExpiresAt ? accessTokenExpiresAt : token.FamilyExpiresAt, now);
        return
        [
            JsonSerializer.SerializeToUtf8Bytes(token, IdentityProviderJsonContext.Default.RefreshToken),
            (long)TokenHandles.Ttl(token.ExpiresAt, now).TotalMilliseconds,
            hash,
            (long)familyTtl.TotalMilliseconds,
            accessTokenId,
            accessTokenExpiresAt.ToUnixTimeSeconds(),
            (long)jtiTtl.TotalMilliseconds,
        ];
    }

    private string FamilyKey(string familyId) => Prefix + "rt-family:" + familyId;

    private string FamilyJtiKey(string familyId) => Prefix + "rt-family-jti:" + familyId;
}
