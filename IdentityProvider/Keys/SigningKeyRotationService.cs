using Microsoft.Extensions.Options;
using Reference.IdentityProvider.Options;

namespace Reference.IdentityProvider.Keys;

/// <summary>Runs <see cref="SigningKeyRing.RotateIfDueAsync"/> every <see cref="KeyRotationOptions.CheckInterval"/>
/// on the injected clock. A failed check (e.g. the shared folder briefly unavailable) is logged and retried: the
/// successor is published long before it is needed.</summary>
internal sealed class SigningKeyRotationService(
    ISigningKeyRing keyRing,
    IOptions<IdentityProviderOptions> options,
    TimeProvider timeProvider,
    ILogger<SigningKeyRotationService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.KeyRotation.CheckInterval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await keyRing.RotateIfDueAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    KeysLog.RotationFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
