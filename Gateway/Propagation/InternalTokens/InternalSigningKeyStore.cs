using System.Security.Cryptography;

namespace Reference.Gateway.Propagation.InternalTokens;

/// <summary>
/// Dev-friendly key storage: the ES256 key is generated at first run into <c>{DataPath}/keys/</c>
/// (git-ignored, owner-only) and reused after restarts. Several gateway replicas may share the folder and
/// start together: each writes its candidate to a private temp file and links it into place without
/// overwriting; the first wins and every other replica reads the winner's key.
/// </summary>
internal static class InternalSigningKeyStore
{
    public const string KeyFileName = "internal-signing-es256.pem";

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
        var temp = Path.Combine(Path.GetDirectoryName(path)!, $".{KeyFileName}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256))
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                using var stream = new FileStream(temp, options);
                using (var writer = new StreamWriter(stream))
                {
                    writer.Write(ecdsa.ExportPkcs8PrivateKeyPem());
                    writer.Flush();
                    stream.Flush(flushToDisk: true);
                }
            }

            // No-overwrite move: on Unix a hard link, which fails atomically when the target exists.
            File.Move(temp, path, overwrite: false);
            InternalTokenLog.KeyCreated(logger, path);
        }
        catch (IOException) when (File.Exists(path))
        {
            InternalTokenLog.LostCreationRace(logger, path);
        }
        finally
        {
            File.Delete(temp);
        }
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
