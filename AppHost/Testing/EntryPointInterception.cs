namespace Reference.AppHost.Testing;

/// <summary>
/// Lets the testing builder run the AppHost's own entry point (Program.cs) to declare the model, and
/// capture the application in <c>Build()</c> instead of letting <c>RunAsync</c> run it: tests start
/// exactly the model Program.cs declares, without a copy of it.
/// </summary>
internal sealed class EntryPointInterception
{
    private static readonly AsyncLocal<EntryPointInterception?> CurrentInterception = new();

    private EntryPointInterception(DistributedApplicationOptions options) => Options = options with { Interception = this };

    public static EntryPointInterception? Current => CurrentInterception.Value;

    public DistributedApplicationOptions Options { get; }

    public DistributedApplication? Application { get; private set; }

    public void Capture(DistributedApplication application) => Application = application;

    public static async Task<DistributedApplication> RunEntryPointAsync(DistributedApplicationOptions options)
    {
        var entryPoint = typeof(EntryPointInterception).Assembly.EntryPoint
            ?? throw new InvalidOperationException("The AppHost assembly has no entry point.");
        var interception = new EntryPointInterception(options);
        CurrentInterception.Value = interception;
        try
        {
            if (entryPoint.Invoke(null, [options.Args]) is Task task)
            {
                await task;
            }
        }
        finally
        {
            CurrentInterception.Value = null;
        }

        return interception.Application
            ?? throw new InvalidOperationException("The AppHost's entry point did not build a DistributedApplication.");
    }
}
