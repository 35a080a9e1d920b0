using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Reference.AppHost.Dashboard;

/// <summary>
/// Access to the dashboard: a random browser token per run (printed as the login link), exchanged at
/// <c>/login?t=…</c> for an HttpOnly SameSite=Strict session cookie; an anti-CSRF token derived from the
/// session secret guards every state-changing form. Every comparison is constant-time over SHA-256
/// digests, so neither the length nor a matching prefix leaks through timing.
/// </summary>
internal sealed class DashboardAuth
{
    public const string CookieName = "reference_dashboard";
    public const string CsrfFieldName = "csrf";

    private readonly byte[] _browserTokenHash;
    private readonly byte[] _sessionHash;

    public DashboardAuth(string? browserToken = null)
    {
        BrowserToken = browserToken ?? NewSecret();
        SessionValue = NewSecret();
        CsrfToken = WebEncoders.Base64UrlEncode(HMACSHA256.HashData(Encoding.UTF8.GetBytes(SessionValue), "csrf"u8));
        _browserTokenHash = Hash(BrowserToken);
        _sessionHash = Hash(SessionValue);
    }

    /// <summary>The token in the printed login link.</summary>
    public string BrowserToken { get; }

    /// <summary>The session cookie's value (not the browser token: the link never works as a cookie).</summary>
    public string SessionValue { get; }

    public string CsrfToken { get; }

    /// <summary>A short SHA-256 prefix of the browser token, safe to log.</summary>
    public string BrowserTokenFingerprint => Convert.ToHexStringLower(_browserTokenHash)[..8];

    public bool IsValidBrowserToken(string? presented) => Matches(presented, _browserTokenHash);

    public bool IsAuthenticated(HttpContext context) =>
        context.Request.Cookies.TryGetValue(CookieName, out var cookie) && Matches(cookie, _sessionHash);

    public bool IsValidCsrfToken(string? presented) => Matches(presented, Hash(CsrfToken));

    public void SignIn(HttpContext context) =>
        context.Response.Cookies.Append(CookieName, SessionValue, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/",
            IsEssential = true,
        });

    internal static bool Matches(string? presented, byte[] expectedHash) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(Hash(presented), expectedHash);

    private static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));

    private static string NewSecret() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
}
