using System.Diagnostics;
using System.Text.Json;
using System.Xml.Linq;
using Reference.AppHost.Hosting.Orchestration;

namespace Reference.AppHost.Hosting;

/// <summary>Finds the Redis-compatible server to launch: redis-server on PATH, or Garnet from the tool manifest.</summary>
internal static class RedisServerLocator
{
    public const string RedisServer = "redis-server";
    public const string Garnet = "garnet";
    private const string GarnetPackageId = "garnet-server";

    public static async Task<LocatedServer> ResolveAsync(LaunchContext context, CancellationToken cancellationToken)
    {
        var choice = (context.Configuration[RedisResource.ServerConfigurationKey] ?? "auto").Trim().ToLowerInvariant();
        switch (choice)
        {
            case "auto":
                return ExecutableLocator.FindOnPath(RedisServer) is { } found
                    ? new LocatedServer(RedisServer, found, [], new Dictionary<string, string>())
                    : await LocateGarnetAsync(context, cancellationToken);
            case RedisServer:
                return ExecutableLocator.FindOnPath(RedisServer) is { } path
                    ? new LocatedServer(RedisServer, path, [], new Dictionary<string, string>())
                    : throw new ResourceLaunchException($"{RedisResource.ServerConfigurationKey} is 'redis-server' but redis-server is not on PATH.");
            case Garnet:
                return await LocateGarnetAsync(context, cancellationToken);
            default:
                throw new ResourceLaunchException(
                    $"{RedisResource.ServerConfigurationKey} must be 'auto', 'redis-server' or 'garnet' (was '{choice}').");
        }
    }

    private static async Task<LocatedServer> LocateGarnetAsync(LaunchContext context, CancellationToken cancellationToken)
    {
        var manifest = FindToolManifest()
            ?? throw new ResourceLaunchException("redis-server is not on PATH and no .config/dotnet-tools.json (with garnet-server) was found above the AppHost.");
        var version = ReadToolVersion(manifest)
            ?? throw new ResourceLaunchException($"{manifest} does not list the {GarnetPackageId} tool.");
        var entryPoint = FindGarnetEntryPoint(version);
        if (entryPoint is null)
        {
            await RestoreToolsAsync(context, Path.GetDirectoryName(Path.GetDirectoryName(manifest))!, cancellationToken);
            entryPoint = FindGarnetEntryPoint(version)
                ?? throw new ResourceLaunchException($"dotnet tool restore did not produce {GarnetPackageId} {version} in {PackagesRoot()}.");
        }

        // The tool's dll is launched directly by the dotnet host (no `dotnet tool run` in between that
        // could be orphaned). Garnet 2.2.8 targets net10.0, so no roll-forward is needed; workstation GC
        // keeps a dev instance small on a shared machine.
        return new LocatedServer(Garnet, context.DotnetHostPath, [entryPoint], new Dictionary<string, string>
        {
            ["DOTNET_gcServer"] = "0",
        });
    }

    private static string? FindToolManifest()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, ".config", "dotnet-tools.json");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private static string? ReadToolVersion(string manifestPath)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(manifestPath));
        return document.RootElement.TryGetProperty("tools", out var tools)
            && tools.TryGetProperty(GarnetPackageId, out var tool)
            && tool.TryGetProperty("version", out var version)
            ? version.GetString()
            : null;
    }

    private static string PackagesRoot() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static string? FindGarnetEntryPoint(string version)
    {
        var toolsDir = Path.Combine(PackagesRoot(), GarnetPackageId, version.ToLowerInvariant(), "tools");
        if (!Directory.Exists(toolsDir))
        {
            return null;
        }

        foreach (var settings in Directory.EnumerateFiles(toolsDir, "DotnetToolSettings.xml", SearchOption.AllDirectories).Order())
        {
            var command = XDocument.Load(settings).Descendants("Command").FirstOrDefault();
            if (command?.Attribute("EntryPoint")?.Value is { Length: > 0 } entry)
            {
                var dll = Path.Combine(Path.GetDirectoryName(settings)!, entry);
                if (File.Exists(dll))
                {
                    return dll;
                }
            }
        }

        return null;
    }

    private static async Task RestoreToolsAsync(LaunchContext context, string repositoryRoot, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(context.DotnetHostPath, ["tool", "restore"])
        {
            WorkingDirectory = repositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(startInfo)
            ?? throw new ResourceLaunchException("Could not start `dotnet tool restore`.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new ResourceLaunchException(
                $"`dotnet tool restore` in {repositoryRoot} failed with exit code {process.ExitCode}: {await output}{await error}");
        }
    }

    internal sealed record LocatedServer(
        string Kind, string FileName, IReadOnlyList<string> ArgumentsPrefix, IReadOnlyDictionary<string, string> Environment);
}
