using Reference.Redis;

namespace Reference.AppHost.Hosting;

/// <summary>
/// The Redis resource's health check: a PING through the project's own RESP client
/// (ServiceDefaults/Redis), authenticated with the per-run password.
/// </summary>
internal static class RedisPing
{
    public static async Task<bool> PingAsync(string host, int port, string? password, CancellationToken cancellationToken)
    {
        var options = new RedisConnectionOptions
        {
            Host = host,
            Port = port,
            Password = string.IsNullOrEmpty(password) ? null : password,
            AbortOnConnectFail = false,
            ConnectTimeout = TimeSpan.FromSeconds(1),
            CommandTimeout = TimeSpan.FromSeconds(1),
        };
        try
        {
            await using var client = new RedisClient(options);
            await client.PingAsync(cancellationToken);
            return true;
        }
        catch (RedisException)
        {
            return false;
        }
    }
}
