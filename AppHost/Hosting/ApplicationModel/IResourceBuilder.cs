namespace Reference.AppHost.Hosting;

/// <summary>Configures a resource fluently (<c>.WithReference(..).WaitFor(..)</c>).</summary>
/// <typeparam name="T">The resource type.</typeparam>
public interface IResourceBuilder<out T>
    where T : Resource
{
    /// <summary>The resource being configured.</summary>
    T Resource { get; }

    /// <summary>The application builder that owns the resource.</summary>
    DistributedApplicationBuilder ApplicationBuilder { get; }
}

internal sealed class ResourceBuilder<T>(T resource, DistributedApplicationBuilder applicationBuilder) : IResourceBuilder<T>
    where T : Resource
{
    public T Resource { get; } = resource;

    public DistributedApplicationBuilder ApplicationBuilder { get; } = applicationBuilder;
}
