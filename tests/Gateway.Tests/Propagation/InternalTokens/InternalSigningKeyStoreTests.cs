using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Reference.Gateway.Authentication;
using Reference.Gateway.Propagation.InternalTokens;
using Reference.TestUtilities;

namespace Reference.Gateway.Tests.Propagation.InternalTokens;

/// <summary>Key generations as files shared by gateway replicas (two rings on one folder, one fake clock).</summary>
public sealed class InternalSigningKeyStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "reference-gateway-keys", Guid.NewGuid().ToString("N"), "keys");
    private readonly FakeTimeProvider _time = new();
    private readonly InternalTokenOptions _options = new() { RotationInterval = TimeSpan.FromHours(1) };

    [Fact]
    public void FirstRun_CreatesOwnerOnlyGenerationOne()
    {
        var ring = Ring();

        var file = Path.Combine(_directory, FileInternalSigningKeyStore.FileName(1));
        Assert.True(File.Exists(file));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_directory));
        }

        Assert.Equal(43, ring.Current.KeyId.Length);
        Assert.Equal([ring.Current.KeyId], ring.PublishedKeyIds);
    }

    [Fact]
    public void Restart_SameFolder_SameCurrentKey()
    {
        var first = Ring().Current.KeyId;

        var restarted = Ring();

        Assert.Equal(first, restarted.Current.KeyId);
    }

    [Fact]
    public void TwoReplicas_Start_ShareOneKey()
    {
        var a = Ring();
        var b = Ring();

        Assert.Equal(a.Current.KeyId, b.Current.KeyId);
        Assert.Single(Directory.GetFiles(_directory, "*.json"));
    }

    [Fact]
    public void TwoReplicas_Rotation_NextKeyPrePublishedByBothThenBothSwitchAtItsActivation()
    {
        var a = Ring();
        var b = Ring();
        var first = a.Current.KeyId;

        // A notices first that the next generation is due (PublishAhead before activation) and creates it.
        _time.Advance(_options.RotationInterval - a.PublishAhead);
        Assert.Equal(first, a.Current.KeyId);
        var next = a.PublishedKeyIds[^1];
        Assert.NotEqual(first, next);

        // B still signs with the first key but publishes A's next key (the JWKS is read from the folder).
        Assert.Equal(first, b.Current.KeyId);
        Assert.Equal([first, next], b.PublishedKeyIds);
        Assert.Equal(2, Directory.GetFiles(_directory, "*.json").Length);

        _time.Advance(a.PublishAhead);
        Assert.Equal(next, a.Current.KeyId);
        Assert.Equal(next, b.Current.KeyId);
        Assert.Equal([next, first], b.PublishedKeyIds);
    }

    [Fact]
    public void TwoReplicas_OverdueRotationRace_OneWinnerBothUseIt()
    {
        var a = Ring();
        var b = Ring();

        // Both find the rotation overdue at the same instant: both try to create generation 2; link(2) lets one win.
        _time.Advance(TimeSpan.FromHours(3));
        var fromA = a.Current.KeyId;
        var fromB = b.Current.KeyId;

        Assert.Equal(fromA, fromB);
        Assert.Equal(2, Directory.GetFiles(_directory, "*.json").Length);
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));
    }

    [Fact]
    public async Task TwoReplicas_TokensMintedByEitherAcrossRotations_VerifyAgainstEitherJwks()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var telemetry = new GatewayTelemetry(services.GetRequiredService<IMeterFactory>());
        var a = Ring();
        var b = Ring();
        var issuers = new[] { a, b }.Select(r => new InternalTokenIssuer(r, Options.Create(_options), _time, telemetry)).ToArray();
        var caller = new AuthenticatedCaller("user-1", "client-1", ["orders.read"], "tenant-a", "https://idp.test", _time.GetUtcNow().AddHours(10), "hash");
        var kids = new HashSet<string>();
        var live = new List<(string Token, DateTimeOffset MintedAt)>();
        for (var minute = 0; minute < 200; minute++)
        {
            var now = _time.GetUtcNow();
            live.RemoveAll(t => now - t.MintedAt >= _options.Lifetime);
            foreach (var issuer in issuers)
            {
                var token = issuer.Mint(caller, "orders-api", "req");
                kids.Add(new JsonWebToken(token).Kid);
                live.Add((token, now));
            }

            // Every token still alive verifies against the JWKS either replica publishes now.
            foreach (var (token, _) in live)
            {
                await AssertVerifiesAsync(token, a);
                await AssertVerifiesAsync(token, b);
            }

            _time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.True(kids.Count >= 3, $"only {kids.Count} keys were used");
    }

    private static async Task AssertVerifiesAsync(string token, InternalSigningKeyRing jwksFrom)
    {
        var keys = new JsonWebKeySet(System.Text.Encoding.UTF8.GetString(jwksFrom.JwksDocument.Span)).GetSigningKeys();
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = "urn:reference:gateway",
            ValidAudience = "orders-api",
            IssuerSigningKeys = keys,
            ValidTypes = ["internal+jwt"],
            LifetimeValidator = (_, _, _, _) => true,
        });
        Assert.True(result.IsValid, result.Exception?.Message);
    }

    [Fact]
    public void RetiredGeneration_PublishedUntilItsTokensExpired_ThenFileRemoved()
    {
        var a = Ring();
        var b = Ring();
        var first = a.Current.KeyId;
        _time.Advance(_options.RotationInterval);
        var second = a.Current.KeyId;

        _time.Advance(_options.Lifetime + InternalSigningKeyRing.VerificationSkew - TimeSpan.FromSeconds(1));
        Assert.Contains(first, b.PublishedKeyIds);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.DoesNotContain(first, b.PublishedKeyIds);
        Assert.Equal(second, b.Current.KeyId);
        Assert.False(File.Exists(Path.Combine(_directory, FileInternalSigningKeyStore.FileName(1))));
        Assert.DoesNotContain(first, a.PublishedKeyIds);
    }

    [Fact]
    public void Restart_AfterRotations_KeepsGenerationsAndActivationInstants()
    {
        var a = Ring();
        _time.Advance(_options.RotationInterval - a.PublishAhead);
        var published = a.PublishedKeyIds;

        var restarted = Ring();

        Assert.Equal(published, restarted.PublishedKeyIds);
        Assert.Equal(a.Current.KeyId, restarted.Current.KeyId);
        _time.Advance(a.PublishAhead);
        Assert.Equal(published[^1], restarted.Current.KeyId);
    }

    [Fact]
    public void LegacyPemKey_ReadAsGenerationZero_RotatedOutButStillPublished()
    {
        Directory.CreateDirectory(_directory);
        using var legacy = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(Path.Combine(_directory, FileInternalSigningKeyStore.LegacyKeyFileName), legacy.ExportPkcs8PrivateKeyPem());
        using var legacyKey = new InternalSigningKey(ECDsa.Create(legacy.ExportParameters(includePrivateParameters: true)));

        var ring = Ring();

        Assert.NotEqual(legacyKey.KeyId, ring.Current.KeyId);
        Assert.Equal([ring.Current.KeyId, legacyKey.KeyId], ring.PublishedKeyIds);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"generation\":2,\"activatesAt\":\"2026-01-01T00:00:00Z\",\"key\":\"x\"}")]
    [InlineData("{\"generation\":1,\"activatesAt\":\"2026-01-01T00:00:00Z\"}")]
    public void CorruptGenerationFile_FailsNamingTheFile(string content)
    {
        Directory.CreateDirectory(_directory);
        var file = Path.Combine(_directory, FileInternalSigningKeyStore.FileName(1));
        File.WriteAllText(file, content);

        var exception = Assert.Throws<InvalidOperationException>(() => Ring());

        Assert.Contains(file, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GenerationFile_HoldsActivationInstant()
    {
        Ring();

        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, FileInternalSigningKeyStore.FileName(1))));

        Assert.Equal(1, document.RootElement.GetProperty("generation").GetInt32());
        Assert.Equal(_time.GetUtcNow(), document.RootElement.GetProperty("activatesAt").GetDateTimeOffset());
    }

    // A race shows up only now and then, so several fresh folders are raced in turn.
    [Fact]
    public async Task ConcurrentFirstRuns_AllUseOneKey()
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
                    return InternalSigningKeyRing.FromDirectory(directory, Options.Create(_options), _time, NullLogger.Instance).Current.KeyId;
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default)));

            Assert.Single(keys.Distinct());
            Assert.Equal([FileInternalSigningKeyStore.FileName(1)], Directory.GetFiles(directory, "*.json").Select(Path.GetFileName));
            Assert.Empty(Directory.GetFiles(directory, "*.tmp"));
        }
    }

    public void Dispose()
    {
        var root = Path.GetDirectoryName(_directory)!;
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private InternalSigningKeyRing Ring() => InternalSigningKeyRing.FromDirectory(_directory, Options.Create(_options), _time, NullLogger.Instance);
}
