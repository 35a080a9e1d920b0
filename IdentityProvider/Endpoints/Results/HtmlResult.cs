using System.Text;
using System.Text.Encodings.Web;

namespace Reference.IdentityProvider.Endpoints.Results;

/// <summary>
/// A server-rendered page with the headers every IdentityProvider page carries: a CSP that allows no script, no
/// external resource and no framing, <c>X-Frame-Options: DENY</c> for older browsers, no caching, no referrer
/// (authorization requests carry state and codes in URLs).
/// </summary>
internal sealed class HtmlResult(string title, string body, int statusCode = StatusCodes.Status200OK) : IResult
{
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";

    private const string Style = "body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#222}"
        + "label{display:block;margin:.8rem 0 .2rem}input[type=text],input[type=password]{width:100%;padding:.4rem;box-sizing:border-box}"
        + "button{margin-top:1rem;padding:.5rem 1.2rem}.error{color:#a00}.dev{color:#777;font-size:.85rem}";

    public int StatusCode => statusCode;

    public string Title => title;

    public static string Encode(string? value) => HtmlEncoder.Default.Encode(value ?? string.Empty);

    public static void ApplyHeaders(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XFrameOptions = "DENY";
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.XContentTypeOptions = "nosniff";
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        ApplyHeaders(response);
        response.ContentType = "text/html; charset=utf-8";
        var html = $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{Encode(title)}</title>"
            + $"<meta name=\"viewport\" content=\"width=device-width\"><style>{Style}</style></head><body><h1>{Encode(title)}</h1>{body}</body></html>";
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(html), httpContext.RequestAborted);
    }

    /// <summary>A plain error page; <paramref name="message"/> is encoded.</summary>
    public static HtmlResult Error(string title, string message, int statusCode) =>
        new(title, $"<p class=\"error\">{Encode(message)}</p>", statusCode);

    /// <summary>Redis (sessions, lockouts, codes) is unavailable: fail closed with a clear page, never a 500.</summary>
    public static HtmlResult Unavailable() =>
        Error("Temporarily unavailable", "Sign-in is temporarily unavailable. Please try again in a moment.", StatusCodes.Status503ServiceUnavailable);
}

/// <summary>A 302 with the page headers (no caching, no referrer) — used for every browser redirect.</summary>
internal sealed class BrowserRedirectResult(string location) : IResult
{
    public string Location => location;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        HtmlResult.ApplyHeaders(httpContext.Response);
        httpContext.Response.StatusCode = StatusCodes.Status302Found;
        httpContext.Response.Headers.Location = location;
        return Task.CompletedTask;
    }
}
