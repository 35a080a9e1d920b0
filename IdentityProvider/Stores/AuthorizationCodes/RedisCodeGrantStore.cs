using System.Text.Json;
using Microsoft.Extensions.Options;
using Reference.IdentityProvider.Options;
using Reference.Redis;

namespace Reference.IdentityProvider.Stores.AuthorizationCodes;

/// <summary>
/// <c>{prefix}code-grant:{sha256(code)}</c>: written once by the first redemption (SET NX), swapped for a tombstone
/// by a replay (SET ... GET). Whichever comes second loses: a replay finds what to revoke, or the first redemption
/// finds the tombstone and issues nothing.
/// </summary>
internal sealed class RedisCodeGrantStore(RedisClient redis, IOptions<IdentityProviderOptions> options)
{
    private const string Tombstone = "revoked";

    /// <summary>Records what the first redemption issued; false when a replay got there first.</summary>
    public async Task<bool> RecordAsync(string codeHash, CodeGrant grant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grant);
        var json = JsonSerializer.SerializeToUtf8Bytes(grant, IdentityProviderJsonContext.Default.CodeGrant);
        return await redis.SetAsync(Key(codeHash), json, RedisAuthorizationCodeStore.ReplayWindow, SetCondition.NotExists, cancellationToken: cancellationToken);
    }

    /// <summary>Marks the code's grant revoked and returns what it issued (null when nothing was recorded yet, or it
    /// was already revoked).</summary>
    public async Task<CodeGrant?> RevokeAsync(string codeHash, CancellationToken cancellationToken)
    {
        var previous = await redis.SetAndGetAsync(Key(codeHash), Tombstone, RedisAuthorizationCodeStore.ReplayWindow, cancellationToken: cancellationToken);
        if (previous.IsNull || previous.ToString() == Tombstone)
        {
            return null;
        }

        return JsonSerializer.Deserialize(previous.ToArray(), IdentityProviderJsonContext.Default.CodeGrant);
    }

    private string Key(string codeHash) => options.Value.KeyPrefix + "code-grant:" + codeHash;
}
