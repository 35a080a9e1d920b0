namespace Reference.AppHost.Hosting;

/// <summary>Adds parameters to the application.</summary>
public static class ParameterResourceBuilderExtensions
{
    /// <summary>
    /// Adds a parameter whose value comes from configuration <c>Parameters:{name}</c>, or is generated
    /// at random for this run when that key is not set.
    /// </summary>
    /// <param name="builder">The application builder.</param>
    /// <param name="name">The parameter name.</param>
    /// <param name="secret">Whether the value is a secret.</param>
    public static IResourceBuilder<ParameterResource> AddParameter(this DistributedApplicationBuilder builder, string name, bool secret = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddResource(new ParameterResource(name, builder.Configuration[$"Parameters:{name}"], secret));
    }
}
