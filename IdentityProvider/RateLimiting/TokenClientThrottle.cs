using Microsoft.Extensions.Options;
using Reference.ServiceDefaults.RateLimiting;

namespace Reference.IdentityProvider.RateLimiting;

/// <summary>The token endpoint's per-client limit (<c>IdentityProvider:RateLimiting:TokenPerClient</c>).</summary>
internal sealed class TokenClientThrottle(IDistributedRateLimiter limiter, IOptions<IdentityProviderRateLimitOptions> options)
{
    public const string Limiter = "token-client";

    public ValueTask<RateLimitDecision> AcquireAsync(string clientId, CancellationToken cancellationToken) =>
        limiter.AcquireAsync([new RateLimitRequest(Limiter, options.Value.TokenPerClient, Uri.EscapeDataString(clientId))], cancellationToken);
}
