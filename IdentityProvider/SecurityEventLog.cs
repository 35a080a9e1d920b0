using System.Security.Cryptography;
using System.Text;

namespace Reference.IdentityProvider;

/// <summary>
/// Security events every feature reports the same way, under the log category
/// <c>Reference.IdentityProvider.Security</c> so operators can route them to a SIEM. Stable event ids 9000–9099.
/// Never pass a token, code, secret, password or cookie: pass <see cref="Fingerprint"/> of it instead, which
/// correlates log lines without being usable as a credential.
/// </summary>
internal static partial class SecurityEventLog
{
    public const string CategoryName = "Reference.IdentityProvider.Security";

    /// <summary>The first 12 hex digits of the SHA-256 of <paramref name="value"/>: enough to correlate, useless to replay.</summary>
    public static string Fingerprint(string? value) =>
        string.IsNullOrEmpty(value) ? "-" : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..12];

    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning, Message = "Security: failed login for user {UserFingerprint} (tenant {TenantId}): {Reason}")]
    public static partial void LoginFailed(ILogger logger, string userFingerprint, string? tenantId, string reason);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Warning, Message = "Security: user {UserFingerprint} locked out until {LockedUntil:O} after {Failures} failed logins")]
    public static partial void UserLockedOut(ILogger logger, string userFingerprint, DateTimeOffset lockedUntil, int failures);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Warning, Message = "Security: authorization code {CodeFingerprint} replayed by client {ClientId}; what it issued is revoked")]
    public static partial void AuthorizationCodeReplayed(ILogger logger, string codeFingerprint, string clientId);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Warning, Message = "Security: rotated refresh token reused by client {ClientId}; family {FamilyFingerprint} revoked")]
    public static partial void RefreshTokenReused(ILogger logger, string clientId, string familyFingerprint);

    [LoggerMessage(EventId = 9005, Level = LogLevel.Warning, Message = "Security: client {ClientId} presented a {Parameter} that is not an active token of this issuer ({Reason}); token {TokenFingerprint}")]
    public static partial void ForeignTokenPresented(ILogger logger, string clientId, string parameter, string? reason, string tokenFingerprint);

    [LoggerMessage(EventId = 9006, Level = LogLevel.Warning, Message = "Security: client {ClientId} tried to act for a subject whose may_act names someone else (actor {Actor})")]
    public static partial void MayActViolated(ILogger logger, string clientId, string actor);

    [LoggerMessage(EventId = 9007, Level = LogLevel.Warning, Message = "Security: client {ClientId} asked for {What} beyond what it may have: {Detail}")]
    public static partial void EscalationRefused(ILogger logger, string clientId, string what, string detail);

    [LoggerMessage(EventId = 9008, Level = LogLevel.Information, Message = "Security: {Kind} {ValueFingerprint} revoked by {Caller}")]
    public static partial void Revoked(ILogger logger, string kind, string valueFingerprint, string caller);

    [LoggerMessage(EventId = 9009, Level = LogLevel.Warning, Message = "Security: private_key_jwt assertion {JtiFingerprint} replayed for client {ClientId}")]
    public static partial void ClientAssertionReplayed(ILogger logger, string jtiFingerprint, string clientId);
}
