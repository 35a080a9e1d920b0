using System.Globalization;
using Microsoft.Extensions.Options;
using Reference.Gateway.Authentication;
using Reference.ServiceDefaults.RateLimiting;

namespace Reference.Gateway.RateLimiting;

/// <summary>
/// After authentication, before forwarding: charges the global, per-client and per-tenant budgets of an authenticated
/// request in one atomic step. Refused: 429 <c>too_many_requests</c> with <c>Retry-After</c> (seconds, rounded up) in
/// the gateway's error shape, and nothing reaches the downstream service; with Redis unavailable and
/// <c>RateLimiting:OnRedisUnavailable=FailClosed</c>: 503 <c>temporarily_unavailable</c>.
/// </summary>
internal sealed class GatewayRateLimitingMiddleware(
    RequestDelegate next,
    IDistributedRateLimiter limiter,
    IOptionsMonitor<GatewayRateLimitOptions> options,
    ILogger<GatewayRateLimitingMiddleware> logger)
{
    public const string TooManyRequests = "too_many_requests";
    public const string GlobalLimiter = "gateway-global";
    public const string ClientLimiter = "gateway-client";
    public const string TenantLimiter = "gateway-tenant";

    public async Task InvokeAsync(HttpContext context)
    {
        var caller = context.Features.Get<AuthenticatedCaller>();
        if (caller is null)
        {
            await next(context);
            return;
        }

        var limits = options.CurrentValue;
        var requests = new List<RateLimitRequest>(3) { new(GlobalLimiter, limits.Global, "all") };
        var client = caller.ClientId is { Length: > 0 } clientId ? "client:" + clientId : "sub:" + caller.Subject;
        requests.Add(new RateLimitRequest(ClientLimiter, limits.PerClient, Uri.EscapeDataString(client)));
        if (caller.TenantId is { Length: > 0 } tenant)
        {
            requests.Add(new RateLimitRequest(TenantLimiter, limits.PerTenant, Uri.EscapeDataString(tenant)));
        }

        var decision = await limiter.AcquireAsync(requests, context.RequestAborted);
        if (decision.IsAllowed)
        {
            await next(context);
            return;
        }

        if (decision.IsUnavailable)
        {
            GatewayRateLimitLog.Unavailable(logger, caller.ClientId);
            await AuthenticationErrors.WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, AuthenticationErrors.TemporarilyUnavailable, "Rate limiting is temporarily unavailable; retry later.");
            return;
        }

        GatewayRateLimitLog.Limited(logger, decision.DeniedBy ?? "-", caller.ClientId, caller.TenantId, decision.RetryAfterSeconds);
        context.Response.Headers.RetryAfter = decision.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        await AuthenticationErrors.WriteErrorAsync(context, StatusCodes.Status429TooManyRequests, TooManyRequests, "Too many requests; retry after the Retry-After delay.");
    }
}
