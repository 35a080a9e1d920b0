using System.Security.Cryptography;

namespace Reference.Gateway.Propagation.InternalTokens;

/// <summary>
/// Dev-friendly key storage: the ES256 key is generated at first run into <c>{DataPath}/keys/</c>
/// (git-ignored, owner-only) and reused after restarts. Several gateway replicas may share the folder and
/// start together: creation happens under an exclusive lock file, the key is written to a private temp file and
/// renamed into place; the first replica creates it and every other replica reads the winner's key.
/// </summary>
internal static class InternalSigningKeyStore
{
    public const string KeyFileName = "internal-signing-es256.pem";

    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LockRetryDelay = TimeSpan.FromMilliseconds(20);

    public static InternalSigningKey LoadOrCreate(string keysDirectory, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(keysDirectory);
        ArgumentNullException.ThrowIfNull(logger);
        CreateDirectory(keysDirectory);
        var path = Path.Combine(keysDirectory, KeyFileName);
        if (!File.Exists(path))
        {
            TryCreate(path, logger);
        }

        var key = Load(path);
        InternalTokenLog.KeyLoaded(logger, key.KeyId);
        return key;
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

    private static void TryCreate(string path, ILogger logger)
    {
        // File.Move without overwrite is an exists-check then a rename on Unix, not atomic: two replicas could
        // both "win". An exclusive lock on a sibling file serialises creators; the key itself still appears
        // atomically (temp file, then rename), so a reader never sees half a key.
        using var creationLock = AcquireCreationLock(path + ".lock");
        if (File.Exists(path))
        {
            InternalTokenLog.LostCreationRace(logger, path);
            return;
        }

        var temp = Path.Combine(Path.GetDirectoryName(path)!, $".{KeyFileName}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256))
            {
                using var stream = new FileStream(temp, OwnerOnly(FileMode.CreateNew, FileAccess.Write));
                using var writer = new StreamWriter(stream);
                writer.Write(ecdsa.ExportPkcs8PrivateKeyPem());
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: false);
            InternalTokenLog.KeyCreated(logger, path);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static FileStream AcquireCreationLock(string lockPath)
    {
        var deadline = DateTime.UtcNow + LockTimeout;
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive advisory lock (flock on Unix), across processes and threads.
                return new FileStream(lockPath, OwnerOnly(FileMode.OpenOrCreate, FileAccess.ReadWrite));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(LockRetryDelay);
            }
            catch (IOException ex)
            {
                throw new InvalidOperationException($"Could not lock '{lockPath}' to create the internal signing key.", ex);
            }
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

    private static InternalSigningKey Load(string path)
    {
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(File.ReadAllText(path));
            return new InternalSigningKey(ecdsa);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            ecdsa.Dispose();
            throw new InvalidOperationException(
                $"The internal signing key file '{path}' is not a PKCS#8 P-256 private key. Remove it to generate a new key.", ex);
        }
    }
}
