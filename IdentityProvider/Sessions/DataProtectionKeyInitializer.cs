using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using Reference.IdentityProvider.Options;

namespace Reference.IdentityProvider.Sessions;

/// <summary>
/// Makes sure the data-protection key ring in <c>{DataPath}/dataprotection-keys</c> has a usable key before the IdP
/// serves, creating it under an exclusive lock file. Replicas that share the folder and start together on an empty
/// folder would otherwise each create a key of their own and protect antiforgery tokens with it, which the other
/// replica reads only at its next key-ring refresh: a login form served by one replica would then be refused by the other.
/// </summary>
internal sealed class DataProtectionKeyInitializer(
    IKeyManager keyManager,
    IOptions<IdentityProviderOptions> options,
    IHostEnvironment environment,
    TimeProvider timeProvider) : IHostedService
{
    private static readonly TimeSpan KeyLifetime = TimeSpan.FromDays(90);

    // The key-ring provider creates the next key itself this long before the current one expires.
    private static readonly TimeSpan RenewalWindow = TimeSpan.FromDays(2);

    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);

    public static string KeysDirectory(IdentityProviderOptions options, IHostEnvironment environment) =>
        Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.DataPath, "dataprotection-keys"));

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var directory = KeysDirectory(options.Value, environment);
        Directory.CreateDirectory(directory);
        using var creationLock = await AcquireLockAsync(Path.Combine(directory, ".create.lock"), cancellationToken);
        // Data protection judges keys by the system clock, whatever clock the IdP runs on.
        var now = TimeProvider.System.GetUtcNow();
        var usable = keyManager.GetAllKeys().Any(k => !k.IsRevoked && k.ActivationDate <= now && k.ExpirationDate > now + RenewalWindow);
        if (!usable)
        {
            keyManager.CreateNewKey(now, now + KeyLifetime);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task<FileStream> AcquireLockAsync(string path, CancellationToken cancellationToken)
    {
        var deadline = timeProvider.GetUtcNow() + LockTimeout;
        while (true)
        {
            try
            {
                // FileShare.None: an exclusive advisory lock across processes (flock on Unix).
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (timeProvider.GetUtcNow() < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), timeProvider, cancellationToken);
            }
            catch (IOException ex)
            {
                throw new InvalidOperationException($"Could not lock '{path}' to create the data-protection key.", ex);
            }
        }
    }
}
