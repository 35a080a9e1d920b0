namespace Reference.ServiceDefaults.RateLimiting;

/// <summary>
/// A GCRA rate limit: a sustained rate of <see cref="PermitLimit"/> requests per <see cref="Period"/>, of which up to
/// <see cref="Burst"/> may arrive at once. Bound from configuration, e.g.
/// <c>{"PermitLimit": 10, "Period": "00:01:00", "Burst": 5}</c> for "10 per minute, burst 5".
/// </summary>
public sealed class RateLimitRule
{
    /// <summary>Whether the limit applies; <see langword="false"/> lets every request through.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Requests allowed per <see cref="Period"/> on average (the sustained rate).</summary>
    public int PermitLimit { get; set; }

    /// <summary>The period of <see cref="PermitLimit"/>; one second by default.</summary>
    public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Requests that may arrive at once after a quiet period (at least 1).</summary>
    public int Burst { get; set; }

    /// <summary>The time between two permits at the sustained rate (GCRA's emission interval), in microseconds, at least 1.</summary>
    internal long EmissionIntervalMicroseconds => Math.Max(1, (long)Math.Ceiling(Period.Ticks / 10.0 / PermitLimit));

    /// <summary>How far ahead of now the theoretical arrival time may run (GCRA's burst tolerance), in microseconds.</summary>
    internal long BurstToleranceMicroseconds => EmissionIntervalMicroseconds * Burst;

    /// <summary>Creates a rule.</summary>
    public static RateLimitRule Create(int permitLimit, TimeSpan period, int burst) =>
        new() { PermitLimit = permitLimit, Period = period, Burst = burst };

    /// <summary>Adds a message naming <paramref name="configurationKey"/> for every invalid value.</summary>
    /// <param name="configurationKey">The rule's configuration key, e.g. <c>Gateway:RateLimiting:Global</c>.</param>
    /// <param name="failures">Where the messages go.</param>
    public void Validate(string configurationKey, ICollection<string> failures)
    {
        ArgumentNullException.ThrowIfNull(failures);
        if (!Enabled)
        {
            return;
        }

        if (PermitLimit < 1)
        {
            failures.Add($"{configurationKey}:PermitLimit must be at least 1 (or set {configurationKey}:Enabled to false).");
        }

        if (Period <= TimeSpan.Zero || Period > TimeSpan.FromDays(1))
        {
            failures.Add($"{configurationKey}:Period must be positive and at most one day.");
        }

        if (Burst < 1)
        {
            failures.Add($"{configurationKey}:Burst must be at least 1.");
        }
    }
}

/// <summary>
/// A failed-attempt lockout: <see cref="MaxFailures"/> failures within <see cref="FailureWindow"/> lock the partition
/// (an IP address, a username) for <see cref="LockoutDuration"/>.
/// </summary>
public sealed class LockoutRule
{
    /// <summary>Whether the lockout applies.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Failures that lock the partition.</summary>
    public int MaxFailures { get; set; }

    /// <summary>How long the lock lasts.</summary>
    public TimeSpan LockoutDuration { get; set; }

    /// <summary>The window the failures are counted in; zero (default) means <see cref="LockoutDuration"/>.</summary>
    public TimeSpan FailureWindow { get; set; }

    internal TimeSpan EffectiveFailureWindow => FailureWindow > TimeSpan.Zero ? FailureWindow : LockoutDuration;

    /// <summary>Creates a rule.</summary>
    public static LockoutRule Create(int maxFailures, TimeSpan lockoutDuration, TimeSpan failureWindow = default) =>
        new() { MaxFailures = maxFailures, LockoutDuration = lockoutDuration, FailureWindow = failureWindow };

    /// <summary>Adds a message naming <paramref name="configurationKey"/> for every invalid value.</summary>
    public void Validate(string configurationKey, ICollection<string> failures)
    {
        ArgumentNullException.ThrowIfNull(failures);
        if (!Enabled)
        {
            return;
        }

        if (MaxFailures < 1)
        {
            failures.Add($"{configurationKey}:MaxFailures must be at least 1 (or set {configurationKey}:Enabled to false).");
        }

        if (LockoutDuration < TimeSpan.FromSeconds(1) || LockoutDuration > TimeSpan.FromDays(1))
        {
            failures.Add($"{configurationKey}:LockoutDuration must be between one second and one day.");
        }

        if (FailureWindow < TimeSpan.Zero || FailureWindow > TimeSpan.FromDays(1))
        {
            failures.Add($"{configurationKey}:FailureWindow must be between zero (= LockoutDuration) and one day.");
        }
    }
}
