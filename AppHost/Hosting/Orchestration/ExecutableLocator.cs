using System.Runtime.InteropServices;

namespace Reference.AppHost.Hosting.Orchestration;

/// <summary>Finds executables: the dotnet host, and commands on PATH.</summary>
internal static class ExecutableLocator
{
    private static readonly Lazy<string> DotnetHost = new(FindDotnetHost);

    /// <summary>
    /// The dotnet host (muxer): <c>DOTNET_HOST_PATH</c>, then the host of the running runtime, then PATH.
    /// </summary>
    public static string DotnetHostPath => DotnetHost.Value;

    public static string? FindOnPath(string command)
    {
        if (Path.IsPathRooted(command))
        {
            return File.Exists(command) ? command : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, command);
            if (File.Exists(candidate))
            {
                return candidate;
            }

            if (OperatingSystem.IsWindows() && File.Exists(candidate + ".exe"))
            {
                return candidate + ".exe";
            }
        }

        return null;
    }

    private static string FindDotnetHost()
    {
        var fileName = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        if (Environment.ProcessPath is { } processPath
            && string.Equals(Path.GetFileName(processPath), fileName, StringComparison.OrdinalIgnoreCase))
        {
            return processPath;
        }

        // The runtime lives in <dotnet root>/shared/Microsoft.NETCore.App/<version>/.
        var runtimeDirectory = RuntimeEnvironment.GetRuntimeDirectory();
        var root = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", ".."));
        var candidate = Path.Combine(root, fileName);
        if (File.Exists(candidate))
        {
            return candidate;
        }

        return FindOnPath(fileName)
            ?? throw new InvalidOperationException("The dotnet host was not found (DOTNET_HOST_PATH, the runtime's directory, PATH).");
    }
}
