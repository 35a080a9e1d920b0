using Microsoft.Extensions.Primitives;

namespace Reference.Gateway.Authentication.Sessions;

/// <summary>
/// Anti-CSRF for cookie sessions: a state-changing request (anything but GET, HEAD, OPTIONS, TRACE) must carry the
/// custom header <c>X-CSRF: 1</c>, which a cross-site form or a simple request cannot add without a CORS preflight,
/// and, when the browser sends Fetch Metadata, <c>Sec-Fetch-Site</c> must be same-origin, same-site or none.
/// </summary>
internal static class CsrfProtection
{
    public const string HeaderName = "X-CSRF";
    public const string Error = "csrf_required";

    public static bool IsSafeMethod(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    /// <summary>True when the request may proceed; <paramref name="fetchSite"/> is what the browser reported, for the log.</summary>
    public static bool IsAllowed(HttpRequest request, out string fetchSite)
    {
        ArgumentNullException.ThrowIfNull(request);
        StringValues site = request.Headers["Sec-Fetch-Site"];
        fetchSite = site.Count == 0 ? "absent" : site.ToString();
        if (IsSafeMethod(request.Method))
        {
            return true;
        }

        StringValues csrf = request.Headers[HeaderName];
        if (csrf.Count != 1 || !string.Equals(csrf[0], "1", StringComparison.Ordinal))
        {
            return false;
        }

        return site.Count == 0
            || (site.Count == 1 && site[0] is "same-origin" or "same-site" or "none");
    }
}
