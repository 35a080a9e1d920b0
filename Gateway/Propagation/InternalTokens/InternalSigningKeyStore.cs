using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace Reference.Gateway.Propagation.InternalTokens;

/// <summary>One generation of the internal signing key: signs new tokens from <see cref="ActivatesAt"/> on.</summary>
internal sealed record InternalKeyGeneration(int Generation, DateTimeOffset ActivatesAt, InternalSigningKey Key);

/// <summary>Where the generations of the internal signing key live.</summary>
internal interface IInternalSigningKeyStore
{
    /// <summary>Every stored generation, oldest first.</summary>
    IReadOnlyList<InternalKeyGeneration> LoadAll();

    /// <summary>
    /// Creates <paramref name="generation"/> unless it exists; returns the stored generation, which is another
    /// writer's when it won the race (then its activation instant, not <paramref name="activatesAt"/>, holds).
    /// </summary>
    InternalKeyGeneration Create(int generation, DateTimeOffset activatesAt);

    /// <summary>Removes a generation no longer published.</summary>
    void Delete(int generation);
}

/// <summary>Generations kept in memory only (a fixed key, tests).</summary>
internal sealed class MemoryInternalSigningKeyStore(Func<InternalSigningKey> createKey) : IInternalSigningKeyStore
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<int, InternalKeyGeneration> _generations = [];

    public MemoryInternalSigningKeyStore(InternalKeyGeneration initial, Func<InternalSigningKey> createKey)
        : this(createKey)
    {
        ArgumentNullException.ThrowIfNull(initial);
        _generations[initial.Generation] = initial;
    }

    public IReadOnlyList<InternalKeyGeneration> LoadAll()
    {
        lock (_lock)
        {
            return [.. _generations.Values];
        }
    }

    public InternalKeyGeneration Create(int generation, DateTimeOffset activatesAt)
    {
        lock (_lock)
        {
            if (!_generations.TryGetValue(generation, out var existing))
            {
                existing = new InternalKeyGeneration(generation, activatesAt, createKey());
                _generations[generation] = existing;
            }

            return existing;
        }
    }

    public void Delete(int generation)
    {
        lock (_lock)
        {
            _generations.Remove(generation);
        }
    }
}

/// <summary>
/// The generations as files <c>{DataPath}/keys/internal-signing-es256-{generation:D6}.json</c> (owner-only on Unix:
/// the PKCS#8 private key and the activation instant), shared by every gateway replica using the folder. A
/// generation is written to a private temporary file and published under its name only if that name is free
/// (<see cref="AtomicFile"/>: link(2), atomic), so when replicas rotate at the same moment exactly one key wins and
/// every replica reads the winner's file. A pre-rotation <c>internal-signing-es256.pem</c> is read as generation 0,
/// active since forever (so it is rotated out at once, and stays published until its tokens expired).
/// </summary>
internal sealed class FileInternalSigningKeyStore : IInternalSigningKeyStore
{
    public const string LegacyKeyFileName = "internal-signing-es256.pem";

    private const string Prefix = "internal-signing-es256-";
    private const string Suffix = ".json";

    private readonly string _directory;
    private readonly ILogger _logger;

    // Stored generations never change, so each file is parsed once.
    private readonly ConcurrentDictionary<string, InternalKeyGeneration> _loaded = new(StringComparer.Ordinal);

    public FileInternalSigningKeyStore(string directory, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _directory = directory;
        _logger = logger;
        CreateDirectory(directory);
    }

    public static string FileName(int generation) => Prefix + generation.ToString("D6", CultureInfo.InvariantCulture) + Suffix;

    public IReadOnlyList<InternalKeyGeneration> LoadAll()
    {
        var generations = new List<InternalKeyGeneration>();
        foreach (var path in Directory.EnumerateFiles(_directory))
        {
            var name = Path.GetFileName(path);
            int generation;
            if (name == LegacyKeyFileName)
            {
                generation = 0;
            }
            else if (!name.StartsWith(Prefix, StringComparison.Ordinal) || !name.EndsWith(Suffix, StringComparison.Ordinal)
                || !int.TryParse(name[Prefix.Length..^Suffix.Length], NumberStyles.None, CultureInfo.InvariantCulture, out generation)
                || generation < 1 || FileName(generation) != name)
            {
                continue;
            }

            try
            {
                generations.Add(Load(path, generation));
            }
            catch (FileNotFoundException)
            {
                // Another replica pruned it between the listing and the read: it was past retention anyway.
            }
        }

        return [.. generations.OrderBy(g => g.Generation)];
    }

    public InternalKeyGeneration Create(int generation, DateTimeOffset activatesAt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(generation, 1);
        var path = Path.Combine(_directory, FileName(generation));
        if (File.Exists(path))
        {
            return Load(path, generation);
        }

        var temporaryPath = Path.Combine(_directory, $".{FileName(generation)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256))
            {
                using var stream = new FileStream(temporaryPath, OwnerOnly(FileMode.CreateNew, FileAccess.Write));
                using (var writer = new Utf8JsonWriter(stream))
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("generation", generation);
                    writer.WriteString("activatesAt", activatesAt.ToUniversalTime());
                    writer.WriteString("key", ecdsa.ExportPkcs8PrivateKeyPem());
                    writer.WriteEndObject();
                }

                stream.Flush(flushToDisk: true);
            }

            if (!AtomicFile.TryPublish(temporaryPath, path))
            {
                InternalTokenLog.LostCreationRace(_logger, path);
                return Load(path, generation);
            }
        }
        finally
        {
            File.Delete(temporaryPath);
        }

        InternalTokenLog.KeyCreated(_logger, path);
        return Load(path, generation);
    }

    public void Delete(int generation)
    {
        var path = Path.Combine(_directory, generation == 0 ? LegacyKeyFileName : FileName(generation));
        File.Delete(path);
        _loaded.TryRemove(path, out _);
    }

    private InternalKeyGeneration Load(string path, int generation)
    {
        if (_loaded.TryGetValue(path, out var loaded))
        {
            return loaded;
        }

        var ecdsa = ECDsa.Create();
        try
        {
            DateTimeOffset activatesAt;
            if (generation == 0)
            {
                ecdsa.ImportFromPem(File.ReadAllText(path));
                activatesAt = DateTimeOffset.UnixEpoch;
            }
            else
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(path));
                var root = document.RootElement;
                if (root.GetProperty("generation").GetInt32() != generation)
                {
                    throw new InvalidDataException($"the file holds generation {root.GetProperty("generation").GetInt32()}, its name says {generation}");
                }

                activatesAt = root.GetProperty("activatesAt").GetDateTimeOffset();
                ecdsa.ImportFromPem(root.GetProperty("key").GetString());
            }

            var key = new InternalKeyGeneration(generation, activatesAt, new InternalSigningKey(ecdsa));
            var winner = _loaded.GetOrAdd(path, key);
            if (!ReferenceEquals(winner, key))
            {
                key.Key.Dispose();
            }

            return winner;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException or JsonException or InvalidDataException
                                   or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            ecdsa.Dispose();

            // Never replace a damaged key silently: tokens signed with it may still be in use.
            throw new InvalidOperationException(
                $"The internal signing key file '{path}' is not a valid P-256 key generation ({ex.Message}). Restore it, or remove it to generate a new key.", ex);
        }
    }

    private static void CreateDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static FileStreamOptions OwnerOnly(FileMode mode, FileAccess access)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }
}
