using Reference.AppHost.Hosting.Orchestration;

namespace Reference.AppHost.Hosting;

/// <summary>Any executable (a script, a tool), launched with the given arguments and working directory.</summary>
public sealed class ExecutableResource : ProcessResource
{
    internal ExecutableResource(string name, string command, string workingDirectory, IReadOnlyList<string> arguments)
        : base(name)
    {
        Command = command;
        WorkingDirectory = workingDirectory;
        Arguments = arguments;
    }

    /// <summary>The executable: a path, or a name looked up on PATH.</summary>
    public string Command { get; }

    /// <summary>The working directory of the process.</summary>
    public string WorkingDirectory { get; }

    /// <summary>The command-line arguments.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <inheritdoc />
    public override string ResourceType => "Executable";

    internal override Task<ProcessCommand> ResolveCommandAsync(LaunchContext context, CancellationToken cancellationToken) =>
        Task.FromResult(new ProcessCommand(Command, Arguments, WorkingDirectory, NeedsWatchdog: false));
}
