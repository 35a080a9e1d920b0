using System.Globalization;
using System.Text.Json;
using Reference.Redis;

namespace Reference.IdentityProvider.Stores.Revocations;

/// <summary>
/// The shared revocation contract: denylist keys <c>revoked:jti:{jti}</c> (not prefixed: gateways read them) with a
/// TTL of the token's remaining lifetime, and messages on <c>reference:revocations</c> so caches can evict at once.
/// </summary>
internal sealed class TokenRevocations(RedisClient redis, TimeProvider timeProvider)
{
    public const string Channel = "reference:revocations";
    public const string JtiKeyPrefix = "revoked:jti:";

    /// <summary>Denies an access token by <c>jti</c> until <paramref name="expiresAt"/> and announces it.</summary>
    public async Task RevokeJtiAsync(string jti, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(jti);
        var now = timeProvider.GetUtcNow();
        if (expiresAt <= now)
        {
            return;
        }

        await redis.SetAsync(JtiKeyPrefix + jti, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), TokenHandles.Ttl(expiresAt, now), cancellationToken: cancellationToken);
        await PublishAsync("jti", jti, expiresAt, cancellationToken);
    }

    public async Task<bool> IsJtiRevokedAsync(string jti, CancellationToken cancellationToken) =>
        await redis.ExistsAsync(JtiKeyPrefix + jti, cancellationToken);

    /// <summary>Announces that a refresh-token family (and what it issued) is revoked.</summary>
    public Task PublishFamilyAsync(string familyId, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        PublishAsync("family", familyId, expiresAt, cancellationToken);

    private async Task PublishAsync(string type, string value, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WriteString("value", value);
            writer.WriteNumber("exp", expiresAt.ToUnixTimeSeconds());
            writer.WriteEndObject();
        }

        await redis.PublishAsync(Channel, buffer.ToArray(), cancellationToken);
    }
}
