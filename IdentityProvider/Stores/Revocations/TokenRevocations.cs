using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Reference.IdentityProvider.Options;
using Reference.Redis;

namespace Reference.IdentityProvider.Stores.Revocations;

/// <summary>
/// The shared revocation contract: denylist keys <c>revoked:jti:{jti}</c> (not prefixed: gateways read them) with a
/// TTL of the token's remaining lifetime, and messages on <c>reference:revocations</c> so caches can evict at once.
/// </summary>
internal sealed class TokenRevocations(RedisClient redis, TimeProvider timeProvider, IOptions<IdentityProviderOptions> options)
{
    public const string Channel = "reference:revocations";
    public const string JtiKeyPrefix = "revoked:jti:";
    public const string SidKeyPrefix = "revoked:sid:";
    public const string SubKeyPrefix = "revoked:sub:";

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

    /// <summary>
    /// Revokes every token of <paramref name="subject"/> issued at or before now: <c>revoked:sub:{sub}</c> = the instant
    /// (unix seconds), kept as long as a token issued before it can live (the longest access-token, ID-token or
    /// refresh-token absolute lifetime), and announced as <c>{"type":"sub",...,"iat":instant}</c>.
    /// Idempotent: a later call moves the instant forward.
    /// </summary>
    /// <returns>The revocation instant.</returns>
    public async Task<DateTimeOffset> RevokeSubjectAsync(string subject, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        var now = timeProvider.GetUtcNow();
        var expiresAt = now + LongestAffectedLifetime(options.Value);
        await redis.SetAsync(SubKeyPrefix + subject, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), TokenHandles.Ttl(expiresAt, now), cancellationToken: cancellationToken);
        await PublishAsync("sub", subject, expiresAt, cancellationToken, issuedAt: now);
        return now;
    }

    /// <summary>The longest time a token issued before now may still be usable: access, ID and refresh tokens.</summary>
    internal static TimeSpan LongestAffectedLifetime(IdentityProviderOptions options)
    {
        var longest = KeyRotationOptions.LongestTokenLifetime(options);
        foreach (var client in options.Clients.Values)
        {
            if (client.AllowOfflineAccess && client.RefreshTokenAbsoluteLifetime > longest)
            {
                longest = client.RefreshTokenAbsoluteLifetime;
            }
        }

        return longest;
    }

    public async Task<bool> IsJtiRevokedAsync(string jti, CancellationToken cancellationToken) =>
        await redis.ExistsAsync(JtiKeyPrefix + jti, cancellationToken);

    /// <summary>
    /// Whether a token is denied by its <c>jti</c>, its session (<c>revoked:sid:{sid}</c>) or its subject
    /// (<c>revoked:sub:{sub}</c>, holding the revocation instant: tokens issued at or before it are denied).
    /// </summary>
    public async Task<bool> IsRevokedAsync(string? jti, string? sid, string? sub, DateTimeOffset? issuedAt, CancellationToken cancellationToken)
    {
        var keys = new List<string>(2);
        if (!string.IsNullOrEmpty(jti))
        {
            keys.Add(JtiKeyPrefix + jti);
        }

        if (!string.IsNullOrEmpty(sid))
        {
            keys.Add(SidKeyPrefix + sid);
        }

        if (keys.Count > 0 && await redis.ExistsAsync(keys, cancellationToken) > 0)
        {
            return true;
        }

        if (string.IsNullOrEmpty(sub))
        {
            return false;
        }

        var revokedAt = (string?)await redis.GetAsync(SubKeyPrefix + sub, cancellationToken);
        return revokedAt is not null
            && (!long.TryParse(revokedAt, NumberStyles.Integer, CultureInfo.InvariantCulture, out var instant)
                || issuedAt is not { } issued || issued.ToUnixTimeSeconds() <= instant);
    }

    /// <summary>Announces that a refresh-token family (and what it issued) is revoked.</summary>
    public Task PublishFamilyAsync(string familyId, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        PublishAsync("family", familyId, expiresAt, cancellationToken);

    private async Task PublishAsync(string type, string value, DateTimeOffset expiresAt, CancellationToken cancellationToken, DateTimeOffset? issuedAt = null)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WriteString("value", value);
            writer.WriteNumber("exp", expiresAt.ToUnixTimeSeconds());
            if (issuedAt is { } instant)
            {
                writer.WriteNumber("iat", instant.ToUnixTimeSeconds());
            }
            writer.WriteEndObject();
        }

        await redis.PublishAsync(Channel, buffer.ToArray(), cancellationToken);
    }
}
