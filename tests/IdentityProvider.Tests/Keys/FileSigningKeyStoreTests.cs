using System.Text.Json.Nodes;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Reference.IdentityProvider.Keys;
using Reference.IdentityProvider.Options;
using Reference.TestUtilities;

namespace Reference.IdentityProvider.Tests.Keys;

public sealed class FileSigningKeyStoreTests : IDisposable
{
    private readonly string _dataPath = IdentityProviderFactory.NewTemporaryDataPath();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));

    private string KeysDirectory => Path.Combine(_dataPath, "keys");

    [Theory]
    [InlineData("RS256", 4)]
    [InlineData("ES256", 16)]
    public async Task Create_ManyStoresRaceForOneGeneration_AllGetTheOneStoredKey(string algorithm, int contenders)
    {
        var stores = Enumerable.Range(0, contenders).Select(_ => NewStore()).ToList();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var now = _time.GetUtcNow();
        var tasks = stores.Select(store => Task.Run(async () =>
        {
            await go.Task;
            return await store.CreateAsync(algorithm, 1, now, now.AddDays(90), CancellationToken.None);
        })).ToList();

        go.SetResult();
        var results = await Task.WhenAll(tasks);

        var kid = Assert.Single(results.Select(r => r.Key.KeyId).Distinct(StringComparer.Ordinal));
        Assert.Single(results, r => r.Created);
        Assert.Equal([$"signing-key-{algorithm.ToLowerInvariant()}-000001.json"], Directory.GetFiles(KeysDirectory, "*", new EnumerationOptions { AttributesToSkip = 0 }).Select(Path.GetFileName));
        var reloaded = Assert.Single(await NewStore().LoadAllAsync(algorithm, CancellationToken.None));
        Assert.Equal(kid, reloaded.KeyId);
        reloaded.Dispose();
        foreach (var result in results)
        {
            result.Key.Dispose();
        }
    }

    [Fact]
    public async Task LoadAll_PreRotationKeyFile_IsGenerationZeroActiveSinceCreation()
    {
        var created = _time.GetUtcNow().AddDays(-3);
        Directory.CreateDirectory(KeysDirectory);
        var document = SigningKey.Generate("RS256", created);
        await File.WriteAllTextAsync(Path.Combine(KeysDirectory, "signing-key-rs256.json"), System.Text.Json.JsonSerializer.Serialize(document, IdentityProviderJsonContext.Default.SigningKeyDocument));

        using var key = Assert.Single(await NewStore().LoadAllAsync("RS256", CancellationToken.None));

        Assert.Equal(document.KeyId, key.KeyId);
        Assert.Equal(0, key.Generation);
        Assert.Equal(created, key.ActivatesAt);
        Assert.Null(key.RetiresAt);
    }

    [Fact]
    public async Task LoadAll_SeveralGenerations_ReturnsThemOldestFirstAndIgnoresStrayFiles()
    {
        var now = _time.GetUtcNow();
        var store = NewStore();
        (await store.CreateAsync("ES256", 2, now.AddDays(90), now.AddDays(180), CancellationToken.None)).Key.Dispose();
        (await store.CreateAsync("ES256", 1, now, now.AddDays(90), CancellationToken.None)).Key.Dispose();
        await File.WriteAllTextAsync(Path.Combine(KeysDirectory, "signing-key-es256-backup.json"), "{}");

        var keys = await NewStore().LoadAllAsync("ES256", CancellationToken.None);

        Assert.Equal([1, 2], keys.Select(k => k.Generation));
        Assert.Equal(now.AddDays(90), keys[1].ActivatesAt);
        Assert.Equal(now.AddDays(180), keys[1].RetiresAt);
        foreach (var key in keys)
        {
            key.Dispose();
        }
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("ES256")]
    public async Task LoadAll_ReloadedKey_VerifiesWhatTheCreatedKeySigned(string algorithm)
    {
        var (created, _) = await NewStore().CreateAsync(algorithm, 1, _time.GetUtcNow(), _time.GetUtcNow().AddDays(90), CancellationToken.None);
        var token = new JsonWebTokenHandler().CreateToken("{\"sub\":\"x\"}", created.SigningCredentials);

        using var reloaded = Assert.Single(await NewStore().LoadAllAsync(algorithm, CancellationToken.None));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKey = new JsonWebKey(System.Text.Json.JsonSerializer.Serialize(reloaded.PublicJwk)),
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
        });

        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal(created.KeyId, reloaded.KeyId);
        Assert.Equal(_time.GetUtcNow(), reloaded.CreatedAt);
        Assert.Equal(1, reloaded.Generation);
        created.Dispose();
    }

    [Fact]
    public async Task Create_OnUnix_KeyFileAndFolderAreOwnerOnly()
    {
        using var key = (await NewStore().CreateAsync("ES256", 1, _time.GetUtcNow(), _time.GetUtcNow().AddDays(90), CancellationToken.None)).Key;

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(KeysDirectory, "signing-key-es256-000001.json")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(KeysDirectory));
        }

        Assert.Empty(Directory.GetFiles(KeysDirectory, "*.tmp", new EnumerationOptions { AttributesToSkip = 0 }));
    }

    public static TheoryData<string, string> Tampering => new()
    {
        { "kid", "a-kid-that-is-not-the-thumbprint" },
        { "x", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
        { "alg", "RS256" },
        { "crv", "P-384" },
        { "d", "" },
        { "generation", "2" },
    };

    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task LoadAll_TamperedKeyFile_FailsAndKeepsTheFile(string member, string value)
    {
        (await NewStore().CreateAsync("ES256", 1, _time.GetUtcNow(), _time.GetUtcNow().AddDays(90), CancellationToken.None)).Key.Dispose();

        var path = Path.Combine(KeysDirectory, "signing-key-es256-000001.json");
        var json = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        json[member] = value;
        await File.WriteAllTextAsync(path, json.ToJsonString());

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => NewStore().LoadAllAsync("ES256", CancellationToken.None));

        Assert.Contains(path, exception.Message, StringComparison.Ordinal);
        Assert.Equal(json.ToJsonString(), await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task LoadAll_UnsupportedAlgorithm_Throws()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => NewStore().LoadAllAsync("HS256", CancellationToken.None));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }

    internal FileSigningKeyStore NewStore()
    {
        var options = new IdentityProviderOptions { DataPath = _dataPath };
        return new FileSigningKeyStore(Microsoft.Extensions.Options.Options.Create(options), new TestHostEnvironment(), _time, NullLogger<FileSigningKeyStore>.Instance);
    }

    private sealed class TestHostEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Development;

        public string ApplicationName { get; set; } = "IdentityProvider.Tests";

        public string ContentRootPath { get; set; } = Path.GetTempPath();

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
