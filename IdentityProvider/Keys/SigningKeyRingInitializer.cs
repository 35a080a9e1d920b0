namespace Reference.IdentityProvider.Keys;

/// <summary>Loads or creates the signing keys at start, so a broken key folder stops the process instead of
/// failing the first token request, and the first request does not pay for RSA key generation.</summary>
internal sealed class SigningKeyRingInitializer(ISigningKeyRing keyRing) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken) => await keyRing.GetPublishedKeysAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
