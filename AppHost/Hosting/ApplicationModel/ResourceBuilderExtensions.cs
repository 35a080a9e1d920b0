namespace Reference.AppHost.Hosting;

/// <summary>The fluent configuration shared by every process resource.</summary>
public static class ResourceBuilderExtensions
{
    /// <summary>
    /// Injects how to reach <paramref name="source"/>: <c>ConnectionStrings__{name}</c> for Redis,
    /// <c>services__{name}__http__0</c> for projects and executables with an http endpoint: the public URL, which is
    /// the AppHost's load balancer when <paramref name="source"/> has several replicas (see <c>WithReplicaReference</c>
    /// for the replicas themselves).
    /// References may form cycles: every port is allocated before anything starts.
    /// </summary>
    /// <typeparam name="T">The resource type.</typeparam>
    /// <param name="builder">The resource receiving the reference.</param>
    /// <param name="source">The referenced resource.</param>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<ProcessResource> source)
        where T : ProcessResource
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(source);
        if (source.Resource is not RedisResource && source.Resource.FindEndpoint("http") is null)
        {
            throw new InvalidOperationException($"{builder.Resource} cannot reference {source.Resource}: it has neither a connection string nor an http endpoint.");
        }

        if (!builder.Resource.ReferenceList.Contains(source.Resource))
        {
            builder.Resource.ReferenceList.Add(source.Resource);
        }

        return builder;
    }

    /// <summary>
    /// Like <c>WithReference</c>, but injects <c>services__{name}__http__{i}</c> for every replica of
    /// <paramref name="source"/>, bypassing the load balancer: for a client that balances (or fans out) itself.
    /// </summary>
    /// <typeparam name="T">The resource type.</typeparam>
    /// <param name="builder">The resource receiving the reference.</param>
    /// <param name="source">The referenced resource (with an http endpoint).</param>
    public static IResourceBuilder<T> WithReplicaReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<ProcessResource> source)
        where T : ProcessResource
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(source);
        if (source.Resource.FindEndpoint("http") is null)
        {
            throw new InvalidOperationException($"{builder.Resource} cannot reference the replicas of {source.Resource}: it has no http endpoint.");
        }

        builder.WithReference(source);
        if (!builder.Resource.ReplicaReferenceList.Contains(source.Resource))
        {
            builder.Resource.ReplicaReferenceList.Add(source.Resource);
        }

        return builder;
    }

    /// <summary>Gets a reference to one of the resource's endpoints (its <c>Url</c> is known once the application starts).</summary>
    /// <typeparam name="T">The resource type.</typeparam>
    /// <param name="builder">The resource.</param>
    /// <param name="name">The endpoint name: <c>http</c> for projects and executables, <c>tcp</c> for Redis.</param>
    public static EndpointReference GetEndpoint<T>(this IResourceBuilder<T> builder, string name)
        where T : ProcessResource
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Resource.GetEndpoint(name);
    }

    /// <summary>Holds the resource in <see cref="KnownResourceState.Waiting"/> until <paramref name="dependency"/> is Running and Healthy.</summary>
    /// <typeparam name="T">The resource type.</typeparam>
    /// <param name="builder">The waiting resource.</param>
    /// <param name="dependency">The resource to wait for.</param>
    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> builder, IResourceBuilder<ProcessResource> dependency)
        where T : ProcessResource
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dependency);
        if (ReferenceEquals(builder.Resource, dependency.Resource))
        {
            throw new InvalidOperationException($"{builder.Resource} cannot wait for itself.");
        }

        if (!builder.Resource.WaitForList.Contains(dependency.Resource))
        {
            builder.Resource.WaitForList.Add(dependency.Resource);
        }

        return builder;
    }

    /// <summary>Healthy when <c>GET {http endpoint}{path}</c> answers 200 (checked for every replica).</summary>
    /// <typeparam name="T">The resource type.</typeparam>
    /// <param name="builder">The resource.</param>
    /// <param name="path">The path, e.g. <c>/health</c>.</param>
    public static IResourceBuilder<T> WithHttpHealthCheck<T>(this IResourceBuilder<T> builder, string path)
        where T : ProcessResource
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _ = builder.Resource.GetEndpointDefinition("http");
        builder.Resource.HealthCheckPath = path.StartsWith('/') ? path : "/" + path;
        return builder;
    }

    /// <summary>Sets an environment variable.</summary>
    /// <typeparam name="T">The resource type.</typeparam>
    /// <param name="builder">The resource.</param>
    /// <param name="name">The variable name.</param>
    /// <param name="value">The value.</param>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, string value)
        where T : ProcessResource
    {
        ArgumentNullException.ThrowIfNull(value);
        return builder.WithEnvironment(name, () => value);
    }

    /// <summary>Sets an environment variable from a callback evaluated at launch, once ports are allocated.</summary>
    /// <typeparam name="T">The resource type.</typeparam>
    /// <param name="builder">The resource.</param>
    /// <param name="name">The variable name.</param>
    /// <param name="callback">Computes the value.</param>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, Func<string> callback)
        where T : ProcessResource
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(callback);
        builder.Resource.EnvironmentCallbacks.Add(new(name, callback));
        return builder;
    }

    /// <summary>Sets an environment variable to an endpoint's public URL (the load balancer's when there are several replicas).</summary>
    /// <typeparam name="T">The resource type.</typeparam>
    /// <param name="builder">The resource.</param>
    /// <param name="name">The variable name.</param>
    /// <param name="endpoint">The endpoint.</param>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, EndpointReference endpoint)
        where T : ProcessResource
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return builder.WithEnvironment(name, () => endpoint.Url);
    }

    /// <summary>Sets an environment variable to a parameter's value.</summary>
    /// <typeparam name="T">The resource type.</typeparam>
    /// <param name="builder">The resource.</param>
    /// <param name="name">The variable name.</param>
    /// <param name="parameter">The parameter.</param>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, IResourceBuilder<ParameterResource> parameter)
        where T : ProcessResource
    {
        ArgumentNullException.ThrowIfNull(parameter);
        return builder.WithEnvironment(name, () => parameter.Resource.Value);
    }

    /// <summary>Marks the resource's HTTP endpoints as meant to be called from outside (the gateway, the IdP).</summary>
    /// <typeparam name="T">The resource type.</typeparam>
    /// <param name="builder">The resource.</param>
    public static IResourceBuilder<T> WithExternalHttpEndpoints<T>(this IResourceBuilder<T> builder)
        where T : ProcessResource
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Resource.HasExternalHttpEndpoints = true;
        return builder;
    }

    /// <summary>
    /// Runs <paramref name="replicas"/> processes, each on its own port with its own <c>service.instance.id</c>. With
    /// more than one, the AppHost runs a load balancer (YARP, round robin, health-aware) on the resource's public
    /// http endpoint: <c>GetEndpoint("http")</c>, references and the dashboard see that URL, and each replica gets
    /// traffic only while it is running and its health check passes. The resource is healthy when every replica
    /// is; a replica that exits leaves the others serving (the resource turns Unhealthy), and the resource is
    /// Exited once every replica has exited.
    /// </summary>
    /// <typeparam name="T">The resource type.</typeparam>
    /// <param name="builder">The resource.</param>
    /// <param name="replicas">How many processes, at least 1.</param>
    public static IResourceBuilder<T> WithReplicas<T>(this IResourceBuilder<T> builder, int replicas)
        where T : ProcessResource
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        if (builder.Resource is RedisResource)
        {
            throw new InvalidOperationException($"{builder.Resource} cannot have replicas: each would be a separate, empty server.");
        }

        builder.Resource.Replicas = replicas;
        return builder;
    }
}
