namespace Reference.AppHost.Hosting;

/// <summary>
/// Build-time metadata of a project the AppHost launches. The <c>Projects.*</c> types implementing it
/// are generated from the AppHost's project references (see <c>ProjectMetadata.targets</c>).
/// </summary>
public interface IProjectMetadata
{
    /// <summary>Full path of the project file (<c>.csproj</c>).</summary>
    string ProjectPath { get; }

    /// <summary>The project's directory: the working directory of its process (like <c>dotnet run</c>).</summary>
    string ProjectDirectory { get; }

    /// <summary>Full path of the project's built assembly (the <c>.dll</c> the dotnet host runs).</summary>
    string TargetPath { get; }
}
