using System.Text.Json;
using Microsoft.Extensions.Options;
using Reference.IdentityProvider.Options;
using Reference.Redis;

namespace Reference.IdentityProvider.Stores.ReferenceTokens;

/// <summary><c>{prefix}reftoken:{sha256(handle)}</c> → the token as JSON, with a TTL of its remaining lifetime
/// (garbage collection only: <see cref="ReferenceToken.ExpiresAt"/> is what counts).</summary>
internal sealed class RedisReferenceTokenStore(RedisClient redis, IOptions<IdentityProviderOptions> options, TimeProvider timeProvider)
{
    public async Task<string> CreateAsync(ReferenceToken token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        var handle = TokenHandles.New();
        var json = JsonSerializer.SerializeToUtf8Bytes(token, IdentityProviderJsonContext.Default.ReferenceToken);
        await redis.SetAsync(Key(TokenHandles.Hash(handle)), json, TokenHandles.Ttl(token.ExpiresAt, timeProvider.GetUtcNow()), SetCondition.NotExists, cancellationToken: cancellationToken);
        return handle;
    }

    /// <summary>The token when it exists and has not expired.</summary>
    public async Task<(string Hash, ReferenceToken Token)?> FindAsync(string handle, CancellationToken cancellationToken)
    {
        if (!TokenHandles.HasHandleShape(handle))
        {
            return null;
        }

        var hash = TokenHandles.Hash(handle);
        var value = await redis.GetAsync(Key(hash), cancellationToken);
        if (value.IsNull)
        {
            return null;
        }

        var token = JsonSerializer.Deserialize(value.ToArray(), IdentityProviderJsonContext.Default.ReferenceToken);
        return token is null || token.ExpiresAt <= timeProvider.GetUtcNow() ? null : (hash, token);
    }

    public async Task DeleteAsync(string hash, CancellationToken cancellationToken) => await redis.DeleteAsync(Key(hash), cancellationToken);

    private string Key(string hash) => options.Value.KeyPrefix + "reftoken:" + hash;
}
