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
    public async Task GetOrCreate_ManyStoresRaceOnAnEmptyFolder_AllGetTheOneStoredKey(string algorithm, int contenders)
    {
        var stores = Enumerable.Range(0, contenders).Select(_ => NewStore()).ToList();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = stores.Select(store => Task.Run(async () =>
        {
            await go.Task;
            return await store.GetOrCreateAsync(algorithm, CancellationToken.None);
        })).ToList();

        go.SetResult();
        var keys = await Task.WhenAll(tasks);

        var kid = Assert.Single(keys.Select(k => k.KeyId).Distinct(StringComparer.Ordinal));
        Assert.Equal([$"signing-key-{algorithm.ToLowerInvariant()}.json"], Directory.GetFiles(KeysDirectory, "*", new EnumerationOptions { AttributesToSkip = 0 }).Select(Path.GetFileName));
        using var reloaded = await NewStore().GetOrCreateAsync(algorithm, CancellationToken.None);
        Assert.Equal(kid, reloaded.KeyId);
        foreach (var key in keys)
        {
            key.Dispose();
        }
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("ES256")]
    public async Task GetOrCreate_ReloadedKey_VerifiesWhatTheCreatedKeySigned(string algorithm)
    {
        using var created = await NewStore().GetOrCreateAsync(algorithm, CancellationToken.None);
        var token = new JsonWebTokenHandler().CreateToken("{\"sub\":\"x\"}", created.SigningCredentials);

        using var reloaded = await NewStore().GetOrCreateAsync(algorithm, CancellationToken.None);
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
    }

    [Fact]
    public async Task GetOrCreate_OnUnix_KeyFileAndFolderAreOwnerOnly()
    {
        using var key = await NewStore().GetOrCreateAsync("ES256", CancellationToken.None);

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(KeysDirectory, "signing-key-es256.json")));
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
    };

    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task GetOrCreate_TamperedKeyFile_FailsAndKeepsTheFile(string member, string value)
    {
        using (await NewStore().GetOrCreateAsync("ES256", CancellationToken.None))
        {
        }

        var path = Path.Combine(KeysDirectory, "signing-key-es256.json");
        var json = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        json[member] = value;
        await File.WriteAllTextAsync(path, json.ToJsonString());

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => NewStore().GetOrCreateAsync("ES256", CancellationToken.None));

        Assert.Contains(path, exception.Message, StringComparison.Ordinal);
        Assert.Equal(json.ToJsonString(), await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task GetOrCreate_UnsupportedAlgorithm_Throws()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => NewStore().GetOrCreateAsync("HS256", CancellationToken.None));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }

    private FileSigningKeyStore NewStore()
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
