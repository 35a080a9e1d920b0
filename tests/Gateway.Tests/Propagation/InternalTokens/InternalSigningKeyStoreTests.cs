using Microsoft.Extensions.Logging.Abstractions;
using Reference.Gateway.Propagation.InternalTokens;

namespace Reference.Gateway.Tests.Propagation.InternalTokens;

public sealed class InternalSigningKeyStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "reference-gateway-keys", Guid.NewGuid().ToString("N"), "keys");

    [Fact]
    public void LoadOrCreate_FirstRun_CreatesOwnerOnlyKeyFile()
    {
        using var key = InternalSigningKeyStore.LoadOrCreate(_directory, NullLogger.Instance);

        var file = Path.Combine(_directory, InternalSigningKeyStore.KeyFileName);
        Assert.True(File.Exists(file));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_directory));
        }

        Assert.Equal(43, key.KeyId.Length);
    }

    [Fact]
    public void LoadOrCreate_SecondRun_ReusesTheKey()
    {
        string first;
        using (var key = InternalSigningKeyStore.LoadOrCreate(_directory, NullLogger.Instance))
        {
            first = key.KeyId;
        }

        using var again = InternalSigningKeyStore.LoadOrCreate(_directory, NullLogger.Instance);

        Assert.Equal(first, again.KeyId);
        Assert.Single(Directory.GetFiles(_directory, "*.pem"));
    }

    // A race shows up only now and then, so several fresh folders are raced in turn.
    [Fact]
    public async Task LoadOrCreate_ConcurrentFirstRuns_AllUseOneKey()
    {
        const int replicas = 8;
        for (var round = 0; round < 25; round++)
        {
            var directory = Path.Combine(_directory, $"round-{round}");
            using var start = new Barrier(replicas);

            var keys = await Task.WhenAll(Enumerable.Range(0, replicas).Select(_ => Task.Factory.StartNew(
                () =>
                {
                    start.SignalAndWait();
                    return InternalSigningKeyStore.LoadOrCreate(directory, NullLogger.Instance);
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default)));

            Assert.Single(keys.Select(k => k.KeyId).Distinct());
            Assert.Equal([InternalSigningKeyStore.KeyFileName], Directory.GetFiles(directory, "*.pem").Select(Path.GetFileName));
            Assert.Empty(Directory.GetFiles(directory, "*.tmp"));
            foreach (var key in keys)
            {
                key.Dispose();
            }
        }
    }

    [Fact]
    public void LoadOrCreate_CorruptKeyFile_FailsNamingTheFile()
    {
        Directory.CreateDirectory(_directory);
        var file = Path.Combine(_directory, InternalSigningKeyStore.KeyFileName);
        File.WriteAllText(file, "not a key");

        var exception = Assert.Throws<InvalidOperationException>(() => InternalSigningKeyStore.LoadOrCreate(_directory, NullLogger.Instance));

        Assert.Contains(file, exception.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        var root = Path.GetDirectoryName(_directory)!;
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
