namespace Reference.AppHost.Hosting;

/// <summary>Adds .NET projects to the application.</summary>
public static class ProjectResourceBuilderExtensions
{
    /// <summary>Adds a project referenced by the AppHost (<c>Projects.*</c>), with an <c>http</c> endpoint.</summary>
    /// <typeparam name="TProject">The generated project metadata type, e.g. <c>Projects.Gateway</c>.</typeparam>
    /// <param name="builder">The application builder.</param>
    /// <param name="name">The resource name (also its service-discovery name).</param>
    public static IResourceBuilder<ProjectResource> AddProject<TProject>(this DistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new()
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddResource(new ProjectResource(name, new TProject()));
    }
}
