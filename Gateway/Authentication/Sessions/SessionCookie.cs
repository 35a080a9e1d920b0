using System.Buffers.Text;
using System.Security.Cryptography;

namespace Reference.Gateway.Authentication.Sessions;

/// <summary>
/// The session cookie: an opaque 256-bit random id (43 base64url characters), HttpOnly, SameSite=Lax, Path=/.
/// On HTTPS it is <c>__Host-bff.session</c> (Secure, host-only, which the prefix guarantees to the server); on
/// plain-HTTP development hosts a <c>__Host-</c> cookie cannot be set, so it is <c>bff.session</c>. Each request
/// scheme reads only its own name, so an HTTP-set cookie is never honoured on HTTPS.
/// </summary>
internal static class SessionCookie
{
    public const int IdLength = 43;

    public static string Name(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.IsHttps ? BffOptions.SecureCookieName : BffOptions.DevelopmentCookieName;
    }

    public static bool IsPresent(HttpRequest request) => request.Cookies.ContainsKey(Name(request));

    /// <summary>The raw cookie value, or null when absent.</summary>
    public static string? Read(HttpRequest request) => request.Cookies.TryGetValue(Name(request), out var value) ? value : null;

    /// <summary>Exactly 43 base64url characters (32 random bytes). Checked before any Redis lookup.</summary>
    public static bool IsWellFormed(string? value)
    {
        if (value is null || value.Length != IdLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    public static string NewId() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static void Write(HttpContext context, string sessionId)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Cookies.Append(Name(context.Request), sessionId, Options(context.Request));
    }

    public static void Clear(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Cookies.Delete(Name(context.Request), Options(context.Request));
    }

    private static CookieOptions Options(HttpRequest request) => new()
    {
        HttpOnly = true,
        Secure = request.IsHttps,
        SameSite = SameSiteMode.Lax,
        Path = "/",
        IsEssential = true,
    };
}
