namespace Reference.AppHost.Hosting.Orchestration;

/// <summary>What to launch for one replica of a resource.</summary>
internal sealed record ProcessCommand(string FileName, IReadOnlyList<string> Arguments, string WorkingDirectory, bool NeedsWatchdog)
{
    /// <summary>Environment variables specific to the launcher (e.g. runtime knobs for Garnet).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}

/// <summary>What a resource needs from the AppHost to resolve its command.</summary>
internal sealed record LaunchContext(Microsoft.Extensions.Configuration.IConfiguration Configuration, string DotnetHostPath);

/// <summary>A resource could not be launched; the message says why (shown with FailedToStart).</summary>
internal sealed class ResourceLaunchException(string message) : Exception(message);
