using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;

namespace Reference.Gateway.Authentication.Sessions;

/// <summary>
/// Removes the gateway's session cookie (<c>__Host-bff.session</c> / <c>bff.session</c>) from every proxied request,
/// keeping the client's other cookies. The session id is a credential for the gateway only, like the original bearer
/// token, which is never forwarded either: a downstream service that logs or leaks headers must not be able to
/// replay a user's session.
/// </summary>
internal sealed class SessionCookieRequestTransform : RequestTransform
{
    public static SessionCookieRequestTransform Instance { get; } = new();

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.HttpContext.Request.Headers.ContainsKey(HeaderNames.Cookie))
        {
            return ValueTask.CompletedTask;
        }

        var kept = new List<string>();
        foreach (var header in TakeHeader(context, HeaderNames.Cookie))
        {
            foreach (var pair in (header ?? "").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var separator = pair.IndexOf('=', StringComparison.Ordinal);
                var name = (separator < 0 ? pair : pair[..separator]).Trim();
                if (name is not (BffOptions.SecureCookieName or BffOptions.DevelopmentCookieName))
                {
                    kept.Add(pair);
                }
            }
        }

        if (kept.Count > 0)
        {
            AddHeader(context, HeaderNames.Cookie, string.Join("; ", kept));
        }

        return ValueTask.CompletedTask;
    }
}
