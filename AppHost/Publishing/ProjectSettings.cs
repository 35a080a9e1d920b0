using System.Xml.Linq;
using Microsoft.Extensions.Configuration;

namespace Reference.AppHost.Publishing;

/// <summary>What the publisher reads from a project's own files: its container image and its appsettings.</summary>
internal sealed record ProjectSettings(string Image, IConfiguration Configuration)
{
    /// <summary>A YARP gateway: its configuration has reverse-proxy clusters.</summary>
    public bool IsGateway => Configuration.GetSection("ReverseProxy:Clusters").Exists();

    /// <summary>The IdentityProvider: its configuration has the <c>IdentityProvider</c> section.</summary>
    public bool IsIdentityProvider => Configuration.GetSection("IdentityProvider").Exists();

    /// <summary>
    /// Reads <c>ContainerRepository</c> and <c>ContainerImageTag</c> (the .NET SDK's container support) from the
    /// project file, and appsettings.json (+ appsettings.Production.json) overlaid with the deployed environment.
    /// </summary>
    public static ProjectSettings Read(ProjectResource project, PublishedEnvironment environment)
    {
        var projectPath = project.Metadata.ProjectPath;
        string? repository = null;
        string? tag = null;
        try
        {
            var document = XDocument.Load(projectPath);
            repository = document.Descendants("ContainerRepository").LastOrDefault()?.Value.Trim();
            tag = document.Descendants("ContainerImageTag").LastOrDefault()?.Value.Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Xml.XmlException)
        {
            throw new PublishException($"{project}: cannot read the project file '{projectPath}' ({ex.Message}).");
        }

        if (string.IsNullOrEmpty(repository) || string.IsNullOrEmpty(tag))
        {
            throw new PublishException(
                $"{project}: set <ContainerRepository> and <ContainerImageTag> in '{projectPath}' (the image the manifests deploy; built with dotnet publish -t:PublishContainer).");
        }

        var configuration = new ConfigurationBuilder()
            .SetBasePath(project.Metadata.ProjectDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile("appsettings.Production.json", optional: true)
            .AddInMemoryCollection(environment.Config.Select(v => new KeyValuePair<string, string?>(v.Name.Replace("__", ":", StringComparison.Ordinal), v.Value)))
            .Build();
        return new ProjectSettings($"{repository}:{tag}", configuration);
    }
}
