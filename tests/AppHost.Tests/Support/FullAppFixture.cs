using Reference.AppHost.Testing;

namespace Reference.AppHost.Tests.Support;

/// <summary>One started Reference application (the model of AppHost/Program.cs) shared by a test collection.</summary>
public sealed class FullAppFixture : IAsyncLifetime
{
    private ReferenceTestApp? _app;

    public ReferenceTestApp App => _app ?? throw new InvalidOperationException("The application did not start.");

    public async Task InitializeAsync() => _app = await ReferenceAppTesting.StartAsync(CancellationToken.None);

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class FullAppGroup : ICollectionFixture<FullAppFixture>
{
    public const string Name = "Full Reference application";
}
