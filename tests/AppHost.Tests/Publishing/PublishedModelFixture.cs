using Reference.AppHost.Publishing;
using Reference.AppHost.Testing;

namespace Reference.AppHost.Tests.Publishing;

/// <summary>One manifest document and the file it came from.</summary>
public sealed record Manifest(string File, Dictionary<string, object> Document)
{
    public string Kind => Document.Str("kind");

    public string Name => Document.MapOrNull("metadata")?.StrOrNull("name") ?? "";

    public override string ToString() => $"{Kind}/{Name} ({File})";
}

/// <summary>The model AppHost/Program.cs declares, published once (in memory) and parsed, for a test class.</summary>
public sealed class PublishedModelFixture : IAsyncLifetime
{
    public const string Domain = "example.com";

    private DistributedApplication? _application;

    public DistributedApplication Application => _application ?? throw new InvalidOperationException("Not initialized.");

    public IReadOnlyDictionary<string, string> Files { get; private set; } = new Dictionary<string, string>();

    public IReadOnlyList<Manifest> Manifests { get; private set; } = [];

    public IEnumerable<Manifest> Base => Manifests.Where(m => m.File.StartsWith("base/", StringComparison.Ordinal));

    public IEnumerable<ProjectResource> Projects => Application.Resources.OfType<ProjectResource>();

    public Manifest Get(string kind, string name) => Base.Single(m => m.Kind == kind && m.Name == name);

    public IEnumerable<Manifest> OfKind(string kind) => Base.Where(m => m.Kind == kind);

    public async Task InitializeAsync()
    {
        _application = await EntryPointInterception.RunEntryPointAsync(new DistributedApplicationOptions { IsTesting = true });
        Files = KubernetesPublisher.Publish(_application.Resources, Domain);
        Manifests = [.. Files.SelectMany(f => YamlReader.ReadDocuments(f.Value).Select(d => new Manifest(f.Key, d)))];
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
