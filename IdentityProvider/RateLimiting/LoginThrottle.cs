using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Reference.ServiceDefaults.RateLimiting;

namespace Reference.IdentityProvider.RateLimiting;

/// <summary>
/// The login page's abuse controls, the one mechanism for them: attempt rates per client IP and per username, and
/// failure lockouts per IP and per username. Usernames are keyed by the SHA-256 of the normalised username, whether
/// or not the user exists, so neither the keys nor the behaviour reveal which usernames exist.
/// </summary>
internal sealed class LoginThrottle(IDistributedRateLimiter limiter, IOptions<IdentityProviderRateLimitOptions> options, TimeProvider timeProvider)
{
    public const string LoginIpLimiter = "login-ip";
    public const string LoginUsernameLimiter = "login-user";
    public const string FailedIpLockout = "lockout-ip";
    public const string FailedUsernameLockout = "lockout-user";

    /// <summary>Charges one attempt to the IP and to the username (atomically).</summary>
    public ValueTask<RateLimitDecision> AcquireAttemptAsync(string ip, string normalizedUsername, CancellationToken cancellationToken) =>
        limiter.AcquireAsync(
            [
                new RateLimitRequest(LoginIpLimiter, options.Value.LoginPerIp, ip),
                new RateLimitRequest(LoginUsernameLimiter, options.Value.LoginPerUsername, Hash(normalizedUsername)),
            ],
            cancellationToken);

    /// <summary>The longer of the IP's and the username's locks, or an unlocked status.</summary>
    public async ValueTask<LockoutStatus> GetLockoutAsync(string ip, string normalizedUsername, CancellationToken cancellationToken)
    {
        var byIp = await limiter.GetLockoutAsync(FailedIpLockout, options.Value.FailedLoginsPerIp, ip, cancellationToken);
        var byUsername = await limiter.GetLockoutAsync(FailedUsernameLockout, options.Value.FailedLoginsPerUsername, Hash(normalizedUsername), cancellationToken);
        var now = timeProvider.GetUtcNow();
        return byIp.Remaining(now) >= byUsername.Remaining(now) && byIp.IsLocked ? byIp : byUsername;
    }

    /// <summary>Counts a failed login against the IP and the username; returns which of them it locked.</summary>
    public async ValueTask<(LockoutFailureResult Ip, LockoutFailureResult Username)> RecordFailureAsync(string ip, string normalizedUsername, CancellationToken cancellationToken)
    {
        var byIp = await limiter.RecordFailureAsync(FailedIpLockout, options.Value.FailedLoginsPerIp, ip, cancellationToken);
        var byUsername = await limiter.RecordFailureAsync(FailedUsernameLockout, options.Value.FailedLoginsPerUsername, Hash(normalizedUsername), cancellationToken);
        return (byIp, byUsername);
    }

    /// <summary>A successful login clears the username's failures (not the IP's: one valid account must not let an IP
    /// keep guessing at others).</summary>
    public ValueTask ResetUsernameAsync(string normalizedUsername, CancellationToken cancellationToken) =>
        limiter.ResetFailuresAsync(FailedUsernameLockout, Hash(normalizedUsername), cancellationToken);

    public static string Hash(string normalizedUsername) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalizedUsername)));
}
