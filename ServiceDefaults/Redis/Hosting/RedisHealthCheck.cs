using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Reference.Redis.Hosting;

/// <summary>Healthy when a PING is answered within the timeout.</summary>
internal sealed class RedisHealthCheck(RedisClient client, TimeSpan timeout) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            var latency = await client.PingAsync(cts.Token);
            return HealthCheckResult.Healthy($"PING to {client.EndPoint} answered in {latency.TotalMilliseconds:F1} ms.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"PING to {client.EndPoint} was not answered within {timeout.TotalMilliseconds} ms.");
        }
        catch (RedisException ex)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"PING to {client.EndPoint} failed: {ex.Message}", ex);
        }
    }
}
