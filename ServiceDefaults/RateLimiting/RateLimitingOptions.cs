using Microsoft.Extensions.Options;

namespace Reference.ServiceDefaults.RateLimiting;

/// <summary>What the limiter does when Redis cannot answer.</summary>
public enum RedisUnavailableBehavior
{
    /// <summary>Decide with a local in-memory limiter of the same rules, per instance (default): each replica then
    /// allows up to the whole budget on its own.</summary>
    LocalFallback,

    /// <summary>Allow every request.</summary>
    FailOpen,

    /// <summary>Refuse every request (the caller answers 503).</summary>
    FailClosed,
}

/// <summary>The shared distributed limiter's settings (configuration section <c>RateLimiting</c>).</summary>
public sealed class RateLimitingOptions
{
    /// <summary>The configuration section: <c>RateLimiting</c>.</summary>
    public const string SectionName = "RateLimiting";

    /// <summary>Prefix of every Redis key the limiter writes (<c>RateLimiting:KeyPrefix</c>); default <c>ratelimit:</c>.</summary>
    public string KeyPrefix { get; set; } = "ratelimit:";

    /// <summary>What to do when Redis cannot answer (<c>RateLimiting:OnRedisUnavailable</c>).</summary>
    public RedisUnavailableBehavior OnRedisUnavailable { get; set; } = RedisUnavailableBehavior.LocalFallback;

    /// <summary>After a Redis failure, how long decisions skip Redis before it is tried again
    /// (<c>RateLimiting:RedisRetryInterval</c>); default 5 s, so an outage does not add a timeout to every request.</summary>
    public TimeSpan RedisRetryInterval { get; set; } = TimeSpan.FromSeconds(5);
}

internal sealed class RateLimitingOptionsValidator : IValidateOptions<RateLimitingOptions>
{
    private const string Section = RateLimitingOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, RateLimitingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.KeyPrefix) || options.KeyPrefix.Length > 64 || options.KeyPrefix.Any(char.IsWhiteSpace))
        {
            failures.Add($"{Section}:KeyPrefix must be 1-64 characters without whitespace.");
        }

        if (!Enum.IsDefined(options.OnRedisUnavailable))
        {
            failures.Add($"{Section}:OnRedisUnavailable must be LocalFallback, FailOpen or FailClosed.");
        }

        if (options.RedisRetryInterval < TimeSpan.Zero || options.RedisRetryInterval > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{Section}:RedisRetryInterval must be between 0 and 5 minutes.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
