using Microsoft.Net.Http.Headers;
using Reference.Gateway.Authentication;
using Yarp.ReverseProxy.Transforms;

namespace Reference.Gateway.Propagation.InternalTokens;

/// <summary>
/// Replaces the proxied request's Authorization header with an internal token (cached or freshly minted) for
/// <paramref name="audience"/>. Without an authenticated caller it refuses to forward (YARP answers 502).
/// </summary>
internal sealed class InternalTokenRequestTransform(InternalTokenCache cache, string audience, IReadOnlyList<string> routeScopes) : RequestTransform
{
    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.ProxyRequest.Headers.Remove(HeaderNames.Authorization);
        var caller = context.HttpContext.Features.Get<AuthenticatedCaller>()
            ?? throw new InvalidOperationException("No authenticated caller on a route that requires one; refusing to forward.");
        var requestId = RequestId.Get(context.HttpContext);
        // The header value is formatted once per minted token and cached with it: no per-request formatting.
        var authorization = cache.GetOrMintAuthorization(caller, audience, PropagatedScopes.For(caller, routeScopes), requestId);
        context.ProxyRequest.Headers.TryAddWithoutValidation(HeaderNames.Authorization, authorization);
        return ValueTask.CompletedTask;
    }
}
