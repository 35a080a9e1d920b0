using Reference.AppHost.Hosting.Orchestration;

namespace Reference.AppHost.Hosting;

/// <summary>A .NET project, launched from its built output with the dotnet host (never <c>dotnet run</c>).</summary>
public sealed class ProjectResource : ProcessResource
{
    internal ProjectResource(string name, IProjectMetadata metadata)
        : base(name)
    {
        Metadata = metadata;
        AddEndpoint(new EndpointDefinition("http", "http", fixedPort: null, portEnvironmentVariable: null));
    }

    /// <summary>Where the project and its build output are.</summary>
    public IProjectMetadata Metadata { get; }

    /// <inheritdoc />
    public override string ResourceType => "Project";

    internal override Task<ProcessCommand> ResolveCommandAsync(LaunchContext context, CancellationToken cancellationToken)
    {
        if (!File.Exists(Metadata.TargetPath))
        {
            throw new ResourceLaunchException(
                $"The build output '{Metadata.TargetPath}' does not exist: build the AppHost (dotnet build AppHost) so its project references are built.");
        }

        return Task.FromResult(new ProcessCommand(context.DotnetHostPath, [Metadata.TargetPath], Metadata.ProjectDirectory, NeedsWatchdog: false));
    }

    internal override void AddConventionalEnvironment(IDictionary<string, string> environment, int replica)
    {
        base.AddConventionalEnvironment(environment, replica);
        environment["ASPNETCORE_URLS"] = GetEndpointDefinition("http").GetUrl(replica);
        environment["ASPNETCORE_ENVIRONMENT"] = "Development";
    }
}
