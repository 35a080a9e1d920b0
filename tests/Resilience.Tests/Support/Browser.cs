using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace Reference.Resilience.Tests.Support;

/// <summary>
/// A minimal browser over real sockets: a cookie jar per host (like a browser, it sends <c>Secure</c> cookies to
/// http://localhost and 127.0.0.1, which are secure contexts; .NET's CookieContainer would not), redirects followed
/// by hand, and HTML forms read from the page and posted back.
/// </summary>
internal sealed partial class Browser : IDisposable
{
    private readonly HttpClient _client;

    public Browser()
    {
        Jar = new CookieJarHandler(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false });
        _client = new HttpClient(Jar);
    }

    public CookieJarHandler Jar { get; }

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => _client.SendAsync(request);

    public Task<HttpResponseMessage> GetAsync(Uri uri) => _client.GetAsync(uri);

    /// <summary>GETs <paramref name="uri"/> and follows redirects until a response is not a redirect or
    /// <paramref name="stopAt"/> says not to follow its target; returns that last response and its URL.</summary>
    public async Task<(HttpResponseMessage Response, Uri Url)> FollowAsync(Uri uri, Func<Uri, bool>? stopAt = null)
    {
        var response = await _client.GetAsync(uri);
        return await FollowAsync(response, uri, stopAt);
    }

    /// <summary>Follows the redirects starting at <paramref name="response"/> (the answer from <paramref name="url"/>).</summary>
    public async Task<(HttpResponseMessage Response, Uri Url)> FollowAsync(HttpResponseMessage response, Uri url, Func<Uri, bool>? stopAt = null)
    {
        for (var hops = 0; IsRedirect(response.StatusCode); hops++)
        {
            Assert.True(hops < 10, $"too many redirects (last {url})");
            var next = new Uri(url, response.Headers.Location!);
            if (stopAt is not null && stopAt(next))
            {
                return (response, url);
            }

            response.Dispose();
            url = next;
            response = await _client.GetAsync(url);
        }

        return (response, url);
    }

    /// <summary>Reads the first form of an HTML page and posts its hidden fields plus <paramref name="fields"/> to its action.</summary>
    public async Task<(HttpResponseMessage Response, Uri Url)> SubmitFormAsync(HttpResponseMessage page, Uri pageUrl, IDictionary<string, string> fields)
    {
        var html = await page.Content.ReadAsStringAsync();
        var form = FormRegex().Match(html);
        Assert.True(form.Success, $"no form on {pageUrl}: {html}");
        var values = HiddenInputRegex().Matches(form.Value)
            .ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        foreach (var (name, value) in fields)
        {
            values[name] = value;
        }

        var action = new Uri(pageUrl, WebUtility.HtmlDecode(form.Groups["action"].Value));
        using var content = new FormUrlEncodedContent(values);
        return (await _client.PostAsync(action, content), action);
    }

    /// <summary>At the IdP's login page: posts the credentials and follows the redirects (not into <paramref name="stopAt"/>).</summary>
    public async Task<(HttpResponseMessage Response, Uri Url)> LogInAsync(HttpResponseMessage loginPage, Uri loginUrl, string username, string password, Func<Uri, bool>? stopAt = null)
    {
        Assert.Equal(HttpStatusCode.OK, loginPage.StatusCode);
        Assert.Equal("/account/login", loginUrl.AbsolutePath);
        var (response, url) = await SubmitFormAsync(loginPage, loginUrl, new Dictionary<string, string> { ["username"] = username, ["password"] = password });
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        return await FollowAsync(response, url, stopAt);
    }

    public void Dispose() => _client.Dispose();

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.Found or HttpStatusCode.SeeOther
        or HttpStatusCode.MovedPermanently or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    [GeneratedRegex("<form[^>]*action=\"(?<action>[^\"]*)\"[^>]*>.*?</form>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex FormRegex();

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]*)\" value=\"(?<value>[^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex HiddenInputRegex();
}

/// <summary>Stores <c>Set-Cookie</c> name=value per host and replays them, the way a browser does on a secure context.</summary>
internal sealed class CookieJarHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private readonly Dictionary<string, Dictionary<string, string>> _cookies = new(StringComparer.OrdinalIgnoreCase);

    public string? Get(Uri uri, string name) =>
        _cookies.TryGetValue(uri.Host, out var jar) && jar.TryGetValue(name, out var value) ? value : null;

    public void Set(Uri uri, string name, string value) => JarFor(uri.Host)[name] = value;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        if (_cookies.TryGetValue(uri.Host, out var jar) && jar.Count > 0)
        {
            request.Headers.Remove("Cookie");
            request.Headers.Add("Cookie", string.Join("; ", jar.Select(c => $"{c.Key}={c.Value}")));
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            foreach (var setCookie in setCookies)
            {
                Store(uri.Host, setCookie);
            }
        }

        return response;
    }

    private void Store(string host, string setCookie)
    {
        var parts = setCookie.Split(';', StringSplitOptions.TrimEntries);
        var separator = parts[0].IndexOf('=', StringComparison.Ordinal);
        var name = parts[0][..separator];
        var value = parts[0][(separator + 1)..];
        var expired = value.Length == 0 || parts.Skip(1).Any(p =>
            (p.StartsWith("max-age=", StringComparison.OrdinalIgnoreCase) && int.TryParse(p[8..], out var maxAge) && maxAge <= 0)
            || (p.StartsWith("expires=", StringComparison.OrdinalIgnoreCase) && DateTimeOffset.TryParse(p[8..], out var expires) && expires <= DateTimeOffset.UtcNow));
        if (expired)
        {
            JarFor(host).Remove(name);
        }
        else
        {
            JarFor(host)[name] = value;
        }
    }

    private Dictionary<string, string> JarFor(string host)
    {
        if (!_cookies.TryGetValue(host, out var jar))
        {
            jar = new Dictionary<string, string>(StringComparer.Ordinal);
            _cookies[host] = jar;
        }

        return jar;
    }
}

/// <summary>Helpers for the OAuth requests the end-to-end tests make.</summary>
internal static class OAuth
{
    public static AuthenticationHeaderValue Basic(string clientId, string secret) => new(
        "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}")));

    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, AuthenticationHeaderValue? authorization, IDictionary<string, string> form)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = authorization;
        return await client.SendAsync(request);
    }

    public static string Base64Url(byte[] value) => Convert.ToBase64String(value).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string RandomValue() => Base64Url(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public static Dictionary<string, string> Query(Uri uri) =>
        uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "");
}
