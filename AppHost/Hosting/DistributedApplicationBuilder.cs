using Microsoft.Extensions.Configuration;
using Reference.AppHost.Testing;

namespace Reference.AppHost.Hosting;

/// <summary>Declares the resources of the distributed application, then builds it.</summary>
public sealed class DistributedApplicationBuilder
{
    private readonly List<Resource> _resources = [];
    private readonly List<string> _startupNotes = [];

    internal DistributedApplicationBuilder(DistributedApplicationOptions options)
    {
        Options = options;
        Configuration = new ConfigurationManager();
        Configuration.AddEnvironmentVariables();
        Configuration.AddCommandLine(options.Args);
        if (options.ConfigurationOverrides.Count > 0)
        {
            Configuration.AddInMemoryCollection(options.ConfigurationOverrides);
        }
    }

    /// <summary>The AppHost's configuration: environment variables, then command-line arguments (then test overrides).</summary>
    public ConfigurationManager Configuration { get; }

    /// <summary>The resources declared so far, in declaration order.</summary>
    public IReadOnlyList<Resource> Resources => _resources;

    internal DistributedApplicationOptions Options { get; }

    /// <summary>
    /// Whether the AppHost runs as <c>publish</c> (writes Kubernetes manifests from the model instead of starting
    /// processes). Values read while building the model are then never deployed: secrets become placeholders.
    /// </summary>
    public bool IsPublishMode => Options.PublishArguments is not null;

    /// <summary>Adds a resource; its name must be unique.</summary>
    /// <typeparam name="T">The resource type.</typeparam>
    /// <param name="resource">The resource.</param>
    public IResourceBuilder<T> AddResource<T>(T resource)
        where T : Resource
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (_resources.Exists(r => r.Name == resource.Name))
        {
            throw new InvalidOperationException($"A resource named '{resource.Name}' already exists.");
        }

        _resources.Add(resource);
        return new ResourceBuilder<T>(resource, this);
    }

    /// <summary>
    /// Adds a line printed under the resource table once everything is running and healthy (console only,
    /// never in tests), e.g. the dev-only credentials of this run.
    /// </summary>
    /// <param name="note">The text.</param>
    public DistributedApplicationBuilder AddStartupNote(string note)
    {
        ArgumentNullException.ThrowIfNull(note);
        _startupNotes.Add(note);
        return this;
    }

    /// <summary>Validates the model (no <c>WaitFor</c> cycle) and builds the application.</summary>
    /// <exception cref="InvalidOperationException">The resources wait for each other in a cycle.</exception>
    public DistributedApplication Build()
    {
        ThrowOnWaitCycle();
        var application = new DistributedApplication(this, _startupNotes);
        Options.Interception?.Capture(application);
        return application;
    }

    private void ThrowOnWaitCycle()
    {
        var done = new HashSet<ProcessResource>();
        var path = new List<ProcessResource>();

        void Visit(ProcessResource resource)
        {
            if (path.Contains(resource))
            {
                var cycle = path.Skip(path.IndexOf(resource)).Append(resource).Select(r => r.Name);
                throw new InvalidOperationException($"WaitFor forms a cycle ({string.Join(" -> ", cycle)}): none of them could ever start.");
            }

            if (!done.Add(resource))
            {
                return;
            }

            path.Add(resource);
            foreach (var dependency in resource.WaitsFor)
            {
                Visit(dependency);
            }

            path.RemoveAt(path.Count - 1);
        }

        foreach (var resource in _resources.OfType<ProcessResource>())
        {
            Visit(resource);
        }
    }
}

/// <summary>How a builder is created: the AppHost's arguments and, in tests, overrides and interception.</summary>
internal sealed record DistributedApplicationOptions
{
    public string[] Args { get; init; } = [];

    public IDictionary<string, string?> ConfigurationOverrides { get; init; } = new Dictionary<string, string?>();

    /// <summary>Test mode: no console table, child output goes to <see cref="OutputSink"/>.</summary>
    public bool IsTesting { get; init; }

    /// <summary>Where child output and reports go; null means the console.</summary>
    public Action<string>? OutputSink { get; init; }

    /// <summary>The arguments after <c>publish</c> when the AppHost runs in publish mode; null for a local run.</summary>
    public string[]? PublishArguments { get; init; }

    /// <summary>Set when the testing builder runs the AppHost's entry point to capture its model.</summary>
    public EntryPointInterception? Interception { get; init; }
}
