using Microsoft.Extensions.Options;

namespace Reference.Redis.Hosting;

/// <summary>Stops the host at start when a Redis connection string is missing or malformed; the message names the key.</summary>
internal sealed class RedisClientSettingsValidator(string connectionName) : IValidateOptions<RedisClientSettings>
{
    public ValidateOptionsResult Validate(string? name, RedisClientSettings options)
    {
        if (name != connectionName)
        {
            return ValidateOptionsResult.Skip;
        }

        var key = $"ConnectionStrings:{connectionName}";
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Fail($"{key} is required (a Redis connection string such as 'localhost:6379,password=...').");
        }

        if (!RedisConnectionOptions.TryParse(options.ConnectionString, out _, out var error))
        {
            return ValidateOptionsResult.Fail($"{key} is invalid: {error}");
        }

        return options.HealthCheckTimeout <= TimeSpan.Zero
            ? ValidateOptionsResult.Fail($"{RedisClientSettings.SectionName}:{connectionName}:HealthCheckTimeout must be positive.")
            : ValidateOptionsResult.Success;
    }
}
