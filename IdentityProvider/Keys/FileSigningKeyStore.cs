using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Reference.IdentityProvider.Options;

namespace Reference.IdentityProvider.Keys;

/// <summary>
/// Keeps every generation of a key as a private JWK in <c>{DataPath}/keys/signing-key-{alg}-{generation:D6}.json</c>
/// (owner-only permissions on Unix); a pre-rotation <c>signing-key-{alg}.json</c> is read as generation 0. Replicas
/// sharing the folder may create the same generation at the same moment: a key is written to a temporary file and
/// then published under the generation's name only if that name is free (<see cref="AtomicFile"/>: link(2) on Unix,
/// MoveFileEx on Windows, both atomic), so exactly one instance wins and every other one reads the winner's
/// complete file.
/// </summary>
internal sealed class FileSigningKeyStore(
    IOptions<IdentityProviderOptions> options,
    IHostEnvironment environment,
    TimeProvider timeProvider,
    ILogger<FileSigningKeyStore> logger) : ISigningKeyStore
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    // Stored keys never change, so each file is parsed once.
    private readonly ConcurrentDictionary<string, SigningKey> _loaded = new(StringComparer.Ordinal);

    public string KeysDirectory { get; } = Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.Value.DataPath, "keys"));

    public static string FileName(string algorithm, int generation) =>
        generation == 0
            ? $"signing-key-{algorithm.ToLowerInvariant()}.json"
            : $"signing-key-{algorithm.ToLowerInvariant()}-{generation.ToString("D6", CultureInfo.InvariantCulture)}.json";

    public async Task<IReadOnlyList<SigningKey>> LoadAllAsync(string algorithm, CancellationToken cancellationToken)
    {
        EnsureSupported(algorithm);
        if (!Directory.Exists(KeysDirectory))
        {
            return [];
        }

        var prefix = $"signing-key-{algorithm.ToLowerInvariant()}";
        var keys = new List<SigningKey>();
        foreach (var path in Directory.EnumerateFiles(KeysDirectory, prefix + "*.json"))
        {
            var name = Path.GetFileName(path);
            int generation;
            if (name == prefix + ".json")
            {
                generation = 0;
            }
            else if (!name.StartsWith(prefix + "-", StringComparison.Ordinal)
                || !int.TryParse(name[(prefix.Length + 1)..^".json".Length], NumberStyles.None, CultureInfo.InvariantCulture, out generation)
                || generation < 1
                || FileName(algorithm, generation) != name)
            {
                continue;
            }

            if (!_loaded.TryGetValue(path, out var key))
            {
                try
                {
                    key = await ReadAsync(path, algorithm, generation, cancellationToken);
                }
                catch (FileNotFoundException)
                {
                    // Another replica pruned it between the listing and the read: it was past retention anyway.
                    continue;
                }

                key = _loaded.GetOrAdd(path, key);
                KeysLog.KeyLoaded(logger, algorithm, key.KeyId, path);
            }

            keys.Add(key);
        }

        return [.. keys.OrderBy(k => k.Generation)];
    }

    public async Task<(SigningKey Key, bool Created)> CreateAsync(string algorithm, int generation, DateTimeOffset activatesAt, DateTimeOffset retiresAt, CancellationToken cancellationToken)
    {
        EnsureSupported(algorithm);
        ArgumentOutOfRangeException.ThrowIfLessThan(generation, 1);
        var path = Path.Combine(KeysDirectory, FileName(algorithm, generation));
        if (File.Exists(path))
        {
            return (await LoadAsync(path, algorithm, generation, cancellationToken), false);
        }

        CreateDirectory(KeysDirectory);
        var document = SigningKey.Generate(algorithm, timeProvider.GetUtcNow(), generation, activatesAt, retiresAt);
        var temporaryPath = Path.Combine(KeysDirectory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await WriteOwnerOnlyAsync(temporaryPath, document, cancellationToken);
            if (!AtomicFile.TryPublish(temporaryPath, path))
            {
                KeysLog.KeyCreationRaceLost(logger, algorithm, path);
                return (await LoadAsync(path, algorithm, generation, cancellationToken), false);
            }
        }
        finally
        {
            File.Delete(temporaryPath);
        }

        KeysLog.KeyCreated(logger, algorithm, document.KeyId, path);
        return (_loaded.GetOrAdd(path, SigningKey.Load(document)), true);
    }

    public void Delete(SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var path = Path.Combine(KeysDirectory, FileName(key.Algorithm, key.Generation));
        File.Delete(path);
        _loaded.TryRemove(path, out _);
        KeysLog.KeyDeleted(logger, key.Algorithm, key.KeyId, path);
    }

    private static void EnsureSupported(string algorithm)
    {
        if (!SigningAlgorithms.IsSupported(algorithm))
        {
            throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unsupported signing algorithm.");
        }
    }

    private async Task<SigningKey> LoadAsync(string path, string algorithm, int generation, CancellationToken cancellationToken) =>
        _loaded.TryGetValue(path, out var key) ? key : _loaded.GetOrAdd(path, await ReadAsync(path, algorithm, generation, cancellationToken));

    private static async Task<SigningKey> ReadAsync(string path, string algorithm, int generation, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = File.OpenRead(path);
            var document = await JsonSerializer.DeserializeAsync(stream, IdentityProviderJsonContext.Default.SigningKeyDocument, cancellationToken)
                ?? throw new InvalidDataException("The file is empty.");
            if (!string.Equals(document.Algorithm, algorithm, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"The file holds a '{document.Algorithm}' key, not '{algorithm}'.");
            }

            if (document.Generation != generation)
            {
                throw new InvalidDataException($"The file holds generation {document.Generation}, its name says {generation}.");
            }

            return SigningKey.Load(document);
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException)
        {
            // Never replace a damaged key silently: tokens signed with it may still be in use.
            throw new InvalidOperationException(
                $"The signing key file '{path}' is not a valid {algorithm} key ({ex.Message}). Restore it, or delete it to generate a new key (tokens signed with the old key stop validating).",
                ex);
        }
    }

    private static async Task WriteOwnerOnlyAsync(string path, SigningKeyDocument document, CancellationToken cancellationToken)
    {
        var streamOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            streamOptions.UnixCreateMode = OwnerOnlyFile;
        }

        await using var stream = new FileStream(path, streamOptions);
        await JsonSerializer.SerializeAsync(stream, document, IdentityProviderJsonContext.Default.SigningKeyDocument, cancellationToken);
        await stream.FlushAsync(cancellationToken);
        stream.Flush(flushToDisk: true);
    }

    private static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, OwnerOnlyDirectory);
        }
    }
}
