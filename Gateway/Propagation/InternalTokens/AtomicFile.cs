using System.Runtime.InteropServices;

namespace Reference.Gateway.Propagation.InternalTokens;

/// <summary>Publishes a fully written temporary file under its final name only if that name is still free.</summary>
/// <remarks>
/// The same technique as the IdentityProvider's key store: <see cref="File.Move(string, string, bool)"/> without
/// overwrite is an exists-check then rename(2) on Unix, which replaces a file created in between; link(2) fails with
/// EEXIST instead, atomically. Windows' MoveFileEx without MOVEFILE_REPLACE_EXISTING is atomic already.
/// </remarks>
internal static partial class AtomicFile
{
    private const int EINTR = 4;
    private const int EEXIST = 17;

    /// <returns><see langword="false"/> when <paramref name="destinationPath"/> already exists (another writer won).</returns>
    public static bool TryPublish(string temporaryPath, string destinationPath)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                File.Move(temporaryPath, destinationPath, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(destinationPath))
            {
                return false;
            }
        }

        int errno;
        do
        {
            if (Link(temporaryPath, destinationPath) == 0)
            {
                File.Delete(temporaryPath);
                return true;
            }

            errno = Marshal.GetLastPInvokeError();
        }
        while (errno == EINTR);

        return errno == EEXIST
            ? false
            : throw new IOException($"Could not publish '{destinationPath}': link(2) failed with errno {errno}. The data folder must support hard links.");
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existingPath, string newPath);
}
