using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Reference.ServiceDefaults.Revocation;

internal static partial class RevocationLog
{
    [LoggerMessage(EventId = 4300, Level = LogLevel.Information, Message = "Revocation learnt: {Type} {ValueHash} until {ExpiresAt:o} (from {Source})")]
    public static partial void Received(ILogger logger, RevocationKind type, RevokedValueHash valueHash, DateTimeOffset expiresAt, string source);

    [LoggerMessage(EventId = 4301, Level = LogLevel.Warning, Message = "Ignored a malformed message on the revocation channel ({Length} bytes)")]
    public static partial void Malformed(ILogger logger, int length);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Information, Message = "Subscribed to the revocation channel {Channel}")]
    public static partial void Subscribed(ILogger logger, string channel);

    [LoggerMessage(EventId = 4303, Level = LogLevel.Warning, Message = "Subscribing to the revocation channel failed; retrying in {DelayMs} ms")]
    public static partial void SubscribeFailed(ILogger logger, long delayMs, Exception exception);

    [LoggerMessage(EventId = 4304, Level = LogLevel.Information, Message = "Revocation catch-up ({Reason}) read {Keys} denylist keys, {Live} live, in {ElapsedMs} ms")]
    public static partial void CaughtUp(ILogger logger, string reason, int keys, int live, long elapsedMs);

    [LoggerMessage(EventId = 4305, Level = LogLevel.Warning, Message = "Revocation catch-up ({Reason}) failed; retrying in {DelayMs} ms")]
    public static partial void CatchUpFailed(ILogger logger, string reason, long delayMs, Exception exception);

    [LoggerMessage(EventId = 4306, Level = LogLevel.Error, Message = "A revocation listener ({Listener}) failed")]
    public static partial void ListenerFailed(ILogger logger, string listener, Exception exception);

    [LoggerMessage(EventId = 4307, Level = LogLevel.Error, Message = "The revocation denylist is full ({MaxEntries} entries): dropped the entry that expires soonest (in {Remaining})")]
    public static partial void DenylistFull(ILogger logger, int maxEntries, TimeSpan remaining);

    [LoggerMessage(EventId = 4308, Level = LogLevel.Warning, Message = "The revocation subscription was lost; catching up when it is back")]
    public static partial void SubscriptionLost(ILogger logger);
}

/// <summary>A revoked jti/sid/sub in logs: a short SHA-256 prefix, computed only when the line is written.</summary>
internal readonly struct RevokedValueHash(string value)
{
    public override string ToString() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..12];
}
