namespace Reference.AppHost.Hosting.Orchestration;

/// <summary>Checks whether one replica of a resource is healthy.</summary>
internal interface IHealthProbe
{
    Task<bool> CheckAsync(int replica, CancellationToken cancellationToken);
}

/// <summary>Healthy when <c>GET {endpoint}{path}</c> answers 200.</summary>
internal sealed class HttpHealthProbe(HttpClient httpClient, EndpointDefinition endpoint, string path) : IHealthProbe
{
    public EndpointDefinition Endpoint => endpoint;

    public Task<bool> CheckAsync(int replica, CancellationToken cancellationToken) => CheckUrlAsync(endpoint.GetUrl(replica), cancellationToken);

    /// <summary>Through the load balancer: a replicated resource is healthy only once its public URL answers (which
    /// also warms the balancer's forwarding path before the first real request).</summary>
    public Task<bool> CheckPublicAsync(CancellationToken cancellationToken) => CheckUrlAsync(endpoint.PublicUrl, cancellationToken);

    private async Task<bool> CheckUrlAsync(string baseUrl, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await httpClient.GetAsync(new Uri(baseUrl + path), cancellationToken);
            return response.StatusCode == System.Net.HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}

/// <summary>Healthy when AUTH + PING succeed over RESP.</summary>
internal sealed class RedisHealthProbe(EndpointDefinition endpoint, string password) : IHealthProbe
{
    public async Task<bool> CheckAsync(int replica, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            return await RedisPing.PingAsync(EndpointDefinition.Host, endpoint.GetPort(replica), password, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
