namespace Reference.AppHost.Hosting;

/// <summary>Adds executables to the application.</summary>
public static class ExecutableResourceBuilderExtensions
{
    /// <summary>Adds an executable. It has no endpoint unless <see cref="WithHttpEndpoint"/> adds one.</summary>
    /// <param name="builder">The application builder.</param>
    /// <param name="name">The resource name.</param>
    /// <param name="command">The executable: a path, or a name looked up on PATH.</param>
    /// <param name="workingDirectory">The working directory of the process.</param>
    /// <param name="args">The command-line arguments.</param>
    public static IResourceBuilder<ExecutableResource> AddExecutable(
        this DistributedApplicationBuilder builder, string name, string command, string workingDirectory, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        ArgumentException.ThrowIfNullOrWhiteSpace(workingDirectory);
        return builder.AddResource(new ExecutableResource(name, command, Path.GetFullPath(workingDirectory), [.. args ?? []]));
    }

    /// <summary>
    /// Gives an executable an <c>http</c> endpoint on 127.0.0.1. The port is passed in the environment
    /// variable <paramref name="env"/>; the process must listen on it.
    /// </summary>
    /// <param name="builder">The executable.</param>
    /// <param name="env">The environment variable receiving the port, e.g. <c>PORT</c>.</param>
    /// <param name="port">A fixed port; null allocates a free one.</param>
    public static IResourceBuilder<ExecutableResource> WithHttpEndpoint(
        this IResourceBuilder<ExecutableResource> builder, string env, int? port = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(env);
        builder.Resource.AddEndpoint(new EndpointDefinition("http", "http", port, env));
        return builder;
    }
}
