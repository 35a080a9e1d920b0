using Microsoft.AspNetCore.TestHost;
using Microsoft.IdentityModel.JsonWebTokens;
using static Reference.IdentityProvider.Tests.IdentityProviderFactory;
using static Reference.IdentityProvider.Tests.TokenRequests;

namespace Reference.IdentityProvider.Tests.Keys;

/// <summary>Whole IdentityProvider instances sharing one data folder, as restarts and replicas do.</summary>
public sealed class KeyPersistenceTests : IDisposable
{
    private readonly string _dataPath = NewTemporaryDataPath();

    [Fact]
    public async Task Restart_SameDataPath_PublishesTheSameKeysAndAcceptsEarlierTokens()
    {
        string[] firstKids;
        string token;
        await using (var first = await IdentityProviderHost.StartAsync(DefaultSettings(), _dataPath))
        {
            var client = first.GetTestClient();
            firstKids = await KidsAsync(client);
            token = await GetAccessTokenAsync(client, TestClientId, TestClientSecret, "orders.read");
        }

        await using var second = await IdentityProviderHost.StartAsync(DefaultSettings(), _dataPath);
        var secondClient = second.GetTestClient();

        Assert.Equal(firstKids, await KidsAsync(secondClient));
        var jwks = await GetJwksAsync(secondClient);
        Assert.Contains(jwks.Keys, k => k.Kid == new JsonWebToken(token).Kid);
    }

    [Fact]
    public async Task FirstStart_TwoInstancesAtOnce_CreateOneKeyPerAlgorithm()
    {
        var starts = Enumerable.Range(0, 2).Select(_ => Task.Run(() => IdentityProviderHost.StartAsync(DefaultSettings(), _dataPath))).ToArray();
        var apps = await Task.WhenAll(starts);
        try
        {
            var kids = await Task.WhenAll(apps.Select(app => KidsAsync(app.GetTestClient())));

            Assert.Equal(2, kids[0].Length);
            Assert.Equal(kids[0], kids[1]);
            Assert.Equal(
                ["signing-key-es256-000001.json", "signing-key-rs256-000001.json"],
                Directory.GetFiles(Path.Combine(_dataPath, "keys")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }
        finally
        {
            foreach (var app in apps)
            {
                await app.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Start_DamagedKeyFile_FailsNamingTheFileAndKeepsIt()
    {
        var keys = Directory.CreateDirectory(Path.Combine(_dataPath, "keys"));
        var path = Path.Combine(keys.FullName, "signing-key-rs256.json");
        await File.WriteAllTextAsync(path, "{ not json");

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => IdentityProviderHost.StartAsync(DefaultSettings(), _dataPath));

        Assert.Contains(path, exception.Message, StringComparison.Ordinal);
        Assert.Equal("{ not json", await File.ReadAllTextAsync(path));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }

    private static async Task<string[]> KidsAsync(HttpClient client) =>
        [.. (await GetJwksAsync(client)).Keys.Select(k => k.Kid).Order(StringComparer.Ordinal)];
}
