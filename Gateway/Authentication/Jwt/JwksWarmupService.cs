namespace Reference.Gateway.Authentication.Jwt;

/// <summary>
/// Loads every issuer's keys at startup, in the background and in parallel, retrying each with capped backoff
/// until it loads. After the first load each cache schedules its own refreshes.
/// </summary>
internal sealed class JwksWarmupService(JwksCacheRegistry caches, TimeProvider timeProvider) : BackgroundService
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(caches.All.Select(cache => WarmUpAsync(cache, stoppingToken)));

    private async Task WarmUpAsync(JwksCache cache, CancellationToken stoppingToken)
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
