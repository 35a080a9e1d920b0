using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Reference.IdentityProvider.Options;
using Reference.Redis;

namespace Reference.IdentityProvider.Stores.AuthorizationCodes;

/// <summary>
/// <c>{prefix}code:{sha256(handle)}</c> holds a live code until its expiry; redeeming moves it atomically (one Lua
/// script, so two replicas cannot both redeem it) to <c>{prefix}code-used:{sha256(handle)}</c>, kept for
/// <see cref="ReplayWindow"/> so that a replay can be recognised and what the first redemption issued revoked.
/// </summary>
internal sealed class RedisAuthorizationCodeStore(RedisClient redis, IOptions<IdentityProviderOptions> options, TimeProvider timeProvider) : IAuthorizationCodeStore
{
    /// <summary>How long a redeemed code is remembered: longer than any access token issued from it could matter
    /// for replay detection, short enough to stay small.</summary>
    public static readonly TimeSpan ReplayWindow = TimeSpan.FromHours(1);

    // KEYS[1] live code, KEYS[2] used marker; ARGV[1] replay window in ms. Returns {1, code} | {2, code} | {3}.
    private const string RedeemScript = """
        local code = redis.call('GET', KEYS[1])
        if code then
          redis.call('DEL', KEYS[1])
          redis.call('SET', KEYS[2], code, 'PX', ARGV[1])
          return {1, code}
        end
        local used = redis.call('GET', KEYS[2])
        if used then
          return {2, used}
        end
        return {3}
        """;

    public async ValueTask<string> CreateAsync(AuthorizationCode code, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(code);
        var handle = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var ttl = code.ExpiresAt - timeProvider.GetUtcNow();
        if (ttl < TimeSpan.FromSeconds(1))
        {
            ttl = TimeSpan.FromSeconds(1);
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(code, IdentityProviderJsonContext.Default.AuthorizationCode);
        await redis.SetAsync(LiveKey(handle), json, ttl, SetCondition.NotExists, cancellationToken: cancellationToken);
        return handle;
    }

    public async ValueTask<AuthorizationCodeRedemption> RedeemAsync(string handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (handle.Length is 0 or > 128)
        {
            return new AuthorizationCodeRedemption(AuthorizationCodeRedemptionStatus.NotFound, null);
        }

        var result = await redis.ScriptEvaluateAsync(
            RedeemScript,
            [LiveKey(handle), UsedKey(handle)],
            [(long)ReplayWindow.TotalMilliseconds],
            cancellationToken);
        var items = result.Items;
        var status = items[0].ToInt64() switch
        {
            1 => AuthorizationCodeRedemptionStatus.Redeemed,
            2 => AuthorizationCodeRedemptionStatus.Replayed,
            _ => AuthorizationCodeRedemptionStatus.NotFound,
        };
        if (status == AuthorizationCodeRedemptionStatus.NotFound)
        {
            return new AuthorizationCodeRedemption(status, null);
        }

        var code = JsonSerializer.Deserialize(items[1].ToBytes(), IdentityProviderJsonContext.Default.AuthorizationCode);
        return new AuthorizationCodeRedemption(status, code);
    }

    private string LiveKey(string handle) => options.Value.KeyPrefix + "code:" + Hash(handle);

    private string UsedKey(string handle) => options.Value.KeyPrefix + "code-used:" + Hash(handle);

    private static string Hash(string handle) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(handle)));
}
