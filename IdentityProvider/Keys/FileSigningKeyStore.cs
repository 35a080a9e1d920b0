using System.Text.Json;
using Microsoft.Extensions.Options;
using Reference.IdentityProvider.Options;

namespace Reference.IdentityProvider.Keys;

/// <summary>
/// Keeps one key per algorithm as a private JWK in <c>{DataPath}/keys/signing-key-{alg}.json</c> (owner-only
/// permissions on Unix). Replicas sharing the folder may start at the same moment: a key is written to a temporary
/// file and then published under the final name only if that name is free (<see cref="AtomicFile"/>: link(2) on
/// Unix, MoveFileEx on Windows, both atomic), so exactly one instance wins and every other one reads the winner's
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

    public string KeysDirectory { get; } = Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.Value.DataPath, "keys"));

    public async Task<SigningKey> GetOrCreateAsync(string algorithm, CancellationToken cancellationToken)
    {
        if (!SigningAlgorithms.IsSupported(algorithm))
        {
            throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unsupported signing algorithm.");
        }

        var path = Path.Combine(KeysDirectory, $"signing-key-{algorithm.ToLowerInvariant()}.json");
        if (File.Exists(path))
        {
            var existing = await ReadAsync(path, algorithm, cancellationToken);
            KeysLog.KeyLoaded(logger, algorithm, existing.KeyId, path);
            return existing;
        }

        CreateDirectory(KeysDirectory);
        var document = SigningKey.Generate(algorithm, timeProvider.GetUtcNow());
        var temporaryPath = Path.Combine(KeysDirectory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await WriteOwnerOnlyAsync(temporaryPath, document, cancellationToken);
            if (!AtomicFile.TryPublish(temporaryPath, path))
            {
                KeysLog.KeyCreationRaceLost(logger, algorithm, path);
                return await ReadAsync(path, algorithm, cancellationToken);
            }
        }
        finally
        {
            File.Delete(temporaryPath);
        }

        KeysLog.KeyCreated(logger, algorithm, document.KeyId, path);
        return SigningKey.Load(document);
    }

    private static async Task<SigningKey> ReadAsync(string path, string algorithm, CancellationToken cancellationToken)
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
