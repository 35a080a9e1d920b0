namespace Reference.Gateway.Authentication.Jwt;

/// <summary>Loads the issuer's keys at startup, in the background, retrying with capped backoff until they load.</summary>
internal sealed class JwksWarmupService(JwksCache cache, TimeProvider timeProvider) : BackgroundService
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        while (!stoppingToken.IsCancellationRequested && !cache.HasKeys)
        {
            if (await cache.RefreshAsync(stoppingToken))
            {
                return;
            }

            await Task.Delay(delay, timeProvider, stoppingToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
        }
    }
}
