using System.Net.Http.Headers;
using Microsoft.Net.Http.Headers;
using Reference.Gateway.Authentication;
using Yarp.ReverseProxy.Transforms;

namespace Reference.Gateway.Propagation.PassThrough;

/// <summary>
/// Pass-through mode: the caller's access token as the bearer, unchanged (for a session, the session's access
/// token). Without one it refuses to forward rather than send the request unauthenticated.
/// </summary>
internal sealed class PassThroughRequestTransform : RequestTransform
{
    public static PassThroughRequestTransform Instance { get; } = new();

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.ProxyRequest.Headers.Remove(HeaderNames.Authorization);
        var caller = context.HttpContext.Features.Get<AuthenticatedCaller>()
            ?? throw new InvalidOperationException("No authenticated caller on a route that requires one; refusing to forward.");
        if (string.IsNullOrEmpty(caller.AccessToken))
        {
            throw new InvalidOperationException("The caller has no access token to pass through; refusing to forward.");
        }

        context.ProxyRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", caller.AccessToken);
        return ValueTask.CompletedTask;
    }
}
