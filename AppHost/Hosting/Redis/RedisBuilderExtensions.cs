namespace Reference.AppHost.Hosting;

/// <summary>Adds Redis to the application.</summary>
public static class RedisBuilderExtensions
{
    /// <summary>
    /// Adds a Redis-compatible server (redis-server, or Garnet as a fallback) with a per-run random
    /// password. Resources that reference it get <c>ConnectionStrings__{name}</c>.
    /// </summary>
    /// <param name="builder">The application builder.</param>
    /// <param name="name">The resource name, also the connection string name.</param>
    /// <param name="port">A fixed port; null allocates a free one.</param>
    public static IResourceBuilder<RedisResource> AddRedis(this DistributedApplicationBuilder builder, string name, int? port = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddResource(new RedisResource(name, port));
    }
}
