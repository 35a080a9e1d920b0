namespace Reference.Redis;

/// <summary>
/// Settings of a client registered with <c>builder.AddRedisClient(name)</c>, bound from the configuration
/// section <c>Reference:Redis:{name}</c>; the connection string comes from <c>ConnectionStrings:{name}</c>
/// when present (it wins over <see cref="ConnectionString"/>).
/// </summary>
public sealed class RedisClientSettings
{
    /// <summary>The configuration section the settings bind from, followed by <c>:{connection name}</c>.</summary>
    public const string SectionName = "Reference:Redis";

    /// <summary>The StackExchange.Redis-style connection string (see <see cref="RedisConnectionOptions.Parse"/>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Skips the <c>/health</c> check.</summary>
    public bool DisableHealthChecks { get; set; }

    /// <summary>How long the health check's PING may take before the check reports Unhealthy (default 2 s).</summary>
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
