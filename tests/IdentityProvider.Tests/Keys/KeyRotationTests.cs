using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Reference.IdentityProvider.Keys;
using Reference.IdentityProvider.Options;
using Reference.TestUtilities;
using static Reference.IdentityProvider.Tests.IdentityProviderFactory;
using static Reference.IdentityProvider.Tests.TokenRequests;

namespace Reference.IdentityProvider.Tests.Keys;

/// <summary>Automatic rotation on a fake clock: 10-minute interval, published 2 minutes ahead, retained 15 minutes
/// (the 10-minute access-token lifetime plus 5 minutes of skew) after retirement.</summary>
public sealed class KeyRotationTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Ahead = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Retention = TimeSpan.FromMinutes(15);

    private readonly string _dataPath = NewTemporaryDataPath();

    [Fact]
    public async Task Rotation_FullLifecycle_PublishesAheadSignsOnActivationKeepsRetiredKeyUntilRetentionPasses()
    {
        using var factory = Create(RotationSettings());
        var client = factory.CreateClient();
        var ring = factory.Services.GetRequiredService<ISigningKeyRing>();
        var rotations = new List<long>();
        using var listener = ListenForRotations(rotations);

        var first = Assert.Single(await RsaKidsAsync(client));
        factory.Time.Advance(Interval - Ahead + TimeSpan.FromSeconds(1));
        await ring.RotateIfDueAsync(CancellationToken.None);

        var published = await RsaKidsAsync(client);
        Assert.Equal(2, published.Count);
        var second = Assert.Single(published, kid => kid != first);
        var tokenFromFirst = await GetAccessTokenAsync(client, TestClientId, TestClientSecret, "orders.read");
        Assert.Equal(first, new JsonWebToken(tokenFromFirst).Kid);
        Assert.NotEmpty(rotations);

        factory.Time.Advance(Ahead);
        await ring.RotateIfDueAsync(CancellationToken.None);

        var tokenFromSecond = await GetAccessTokenAsync(client, TestClientId, TestClientSecret, "orders.read");
        Assert.Equal(second, new JsonWebToken(tokenFromSecond).Kid);
        Assert.Contains(first, await RsaKidsAsync(client));
        var stillValid = await ValidateAsync(client, tokenFromFirst, "orders-api", factory.Time);
        Assert.True(stillValid.IsValid, stillValid.Exception?.Message);

        factory.Time.Advance(Retention);
        await ring.RotateIfDueAsync(CancellationToken.None);

        Assert.DoesNotContain(first, await RsaKidsAsync(client));
        Assert.Contains(second, await RsaKidsAsync(client));
        Assert.False(File.Exists(Path.Combine(_dataPath, "keys", "signing-key-rs256-000001.json")));
        Assert.False((await ValidateAsync(client, tokenFromFirst, "orders-api", factory.Time)).IsValid);
    }

    [Fact]
    public async Task Rotation_TokenExchangeSubjectSignedByRetiredKey_IsAcceptedUntilItExpires()
    {
        using var factory = Create(RotationSettings());
        var client = factory.CreateClient();
        var ring = factory.Services.GetRequiredService<ISigningKeyRing>();
        factory.Time.Advance(Interval - Ahead);
        await ring.RotateIfDueAsync(CancellationToken.None);
        var subject = await GetAccessTokenAsync(client, ExchangeClientId, ExchangeClientSecret, "orders.read");
        factory.Time.Advance(Ahead);
        await ring.RotateIfDueAsync(CancellationToken.None);

        using var response = await client.SendAsync(Post(Validation.TokenExchange.TokenExchangeTestTokens.Form(subject), ExchangeClientId, ExchangeClientSecret));
        var json = await ReadJsonAsync(response);

        Assert.True(response.IsSuccessStatusCode, json.ToString());
        Assert.NotEqual(new JsonWebToken(subject).Kid, new JsonWebToken(json.GetProperty("access_token").GetString()!).Kid);
    }

    [Fact]
    public async Task Rotation_TwoReplicasOnOneDataPath_AgreeOnEveryKey()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero));
        using var a = NewRing(time);
        using var b = NewRing(time);
        await Task.WhenAll(a.RotateIfDueAsync(CancellationToken.None), b.RotateIfDueAsync(CancellationToken.None));
        Assert.Equal(await KidsAsync(a), await KidsAsync(b));

        time.Advance(Interval - Ahead);
        await Task.WhenAll(a.RotateIfDueAsync(CancellationToken.None), b.RotateIfDueAsync(CancellationToken.None));
        var kids = await KidsAsync(a);
        Assert.Equal(4, kids.Count);
        Assert.Equal(kids, await KidsAsync(b));

        time.Advance(Ahead);
        Assert.Equal((await a.GetSigningKeyAsync("RS256", CancellationToken.None)).KeyId, (await b.GetSigningKeyAsync("RS256", CancellationToken.None)).KeyId);
        Assert.Equal(2, (await b.GetSigningKeyAsync("ES256", CancellationToken.None)).Generation);
        Assert.Equal(2, Directory.GetFiles(Path.Combine(_dataPath, "keys"), "signing-key-rs256-*.json").Length);
    }

    [Fact]
    public async Task Rotation_AnotherReplicaRotated_KeysAreReReadFromDisk()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero));
        using var a = NewRing(time);
        using var b = NewRing(time);
        await a.RotateIfDueAsync(CancellationToken.None);
        await b.RotateIfDueAsync(CancellationToken.None);

        time.Advance(Interval - Ahead);
        await a.RotateIfDueAsync(CancellationToken.None);
        Assert.Equal(2, (await KidsAsync(b)).Count);

        await b.RotateIfDueAsync(CancellationToken.None);

        Assert.Equal(await KidsAsync(a), await KidsAsync(b));
    }

    [Fact]
    public async Task Rotation_AfterDowntime_NewKeyIsStillPublishedAheadBeforeItSigns()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero));
        using var ring = NewRing(time);
        await ring.RotateIfDueAsync(CancellationToken.None);
        var first = await ring.GetSigningKeyAsync("RS256", CancellationToken.None);

        time.Advance(Interval * 5);
        await ring.RotateIfDueAsync(CancellationToken.None);

        Assert.Equal(first.KeyId, (await ring.GetSigningKeyAsync("RS256", CancellationToken.None)).KeyId);
        var next = Assert.Single(await ring.GetPublishedKeysAsync(CancellationToken.None), k => k.Algorithm == "RS256" && k.Generation == 2);
        Assert.Equal(time.GetUtcNow() + Ahead, next.ActivatesAt);
    }

    [Fact]
    public async Task Rotation_PreRotationKeyFile_KeepsSigningThenGetsASuccessor()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero));
        var keys = Directory.CreateDirectory(Path.Combine(_dataPath, "keys")).FullName;
        var legacy = SigningKey.Generate("RS256", time.GetUtcNow());
        await File.WriteAllTextAsync(Path.Combine(keys, "signing-key-rs256.json"), System.Text.Json.JsonSerializer.Serialize(legacy, IdentityProviderJsonContext.Default.SigningKeyDocument));
        using var ring = NewRing(time);

        Assert.Equal(legacy.KeyId, (await ring.GetSigningKeyAsync("RS256", CancellationToken.None)).KeyId);
        time.Advance(Interval);
        await ring.RotateIfDueAsync(CancellationToken.None);

        Assert.True(File.Exists(Path.Combine(keys, "signing-key-rs256-000001.json")));
        Assert.Equal(legacy.KeyId, (await ring.GetSigningKeyAsync("RS256", CancellationToken.None)).KeyId);
        time.Advance(Ahead);
        Assert.NotEqual(legacy.KeyId, (await ring.GetSigningKeyAsync("RS256", CancellationToken.None)).KeyId);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }

    private static Dictionary<string, string?> RotationSettings()
    {
        var settings = DefaultSettings();
        settings["IdentityProvider:KeyRotation:RotationInterval"] = Interval.ToString("c");
        settings["IdentityProvider:KeyRotation:PublishAhead"] = Ahead.ToString("c");
        return settings;
    }

    private IdentityProviderFactory Create(Dictionary<string, string?> settings) => IdentityProviderFactory.Create(settings, _dataPath);

    private SigningKeyRing NewRing(FakeTimeProvider time)
    {
        var options = new IdentityProviderOptions { DataPath = _dataPath, AccessTokenLifetime = TimeSpan.FromMinutes(10) };
        options.KeyRotation.RotationInterval = Interval;
        options.KeyRotation.PublishAhead = Ahead;
        var wrapped = Microsoft.Extensions.Options.Options.Create(options);
        var store = new FileSigningKeyStore(wrapped, new TestHostEnvironment(), time, NullLogger<FileSigningKeyStore>.Instance);
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        return new SigningKeyRing(store, wrapped, time, new IdentityProviderTelemetry(meters), NullLogger<SigningKeyRing>.Instance);
    }

    private static async Task<List<string>> KidsAsync(SigningKeyRing ring) =>
        [.. (await ring.GetPublishedKeysAsync(CancellationToken.None)).Select(k => k.KeyId).Order(StringComparer.Ordinal)];

    private static async Task<List<string>> RsaKidsAsync(HttpClient client) =>
        [.. (await GetJwksAsync(client)).Keys.Where(k => k.Alg == "RS256").Select(k => k.Kid)];

    private static MeterListener ListenForRotations(List<long> measurements)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == IdentityProviderTelemetry.KeyRotationsMetric)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) =>
        {
            lock (measurements)
            {
                measurements.Add(value);
            }
        });
        listener.Start();
        return listener;
    }

    private sealed class TestHostEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Development;

        public string ApplicationName { get; set; } = "IdentityProvider.Tests";

        public string ContentRootPath { get; set; } = Path.GetTempPath();

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
