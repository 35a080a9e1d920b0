using System.Net;
using System.Text.RegularExpressions;

namespace Reference.LoadBenchmark;

/// <summary>
/// Just enough of a browser for the BFF login: a cookie jar per host, redirects followed by hand, the login form read
/// from the page and posted back (the same approach as the end-to-end suite's browser).
/// </summary>
internal sealed partial class MiniBrowser : IDisposable
{
    private readonly HttpClient _client = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false });
    private readonly Dictionary<string, Dictionary<string, string>> _cookies = new(StringComparer.OrdinalIgnoreCase);

    public string? Get(Uri uri, string name) => _cookies.TryGetValue(uri.Host, out var jar) ? jar.GetValueOrDefault(name) : null;

    public async Task<(HttpResponseMessage Response, Uri Url)> FollowAsync(Uri url, CancellationToken cancellationToken)
    {
        var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, url), cancellationToken);
        for (var hops = 0; response.StatusCode is HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.Redirect; hops++)
        {
            if (hops > 10)
            {
                throw new InvalidOperationException($"Too many redirects (last {url}).");
            }

            url = new Uri(url, response.Headers.Location!);
            response.Dispose();
            response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, url), cancellationToken);
        }

        return (response, url);
    }

    public async Task<(HttpResponseMessage Response, Uri Url)> SubmitFormAsync(
        HttpResponseMessage page, Uri pageUrl, IDictionary<string, string> fields, CancellationToken cancellationToken)
    {
        var html = await page.Content.ReadAsStringAsync(cancellationToken);
        var form = FormRegex().Match(html);
        if (!form.Success)
        {
            throw new InvalidOperationException($"No form on {pageUrl}.");
        }

        var values = HiddenInputRegex().Matches(form.Value)
            .ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));
        foreach (var (name, value) in fields)
        {
            values[name] = value;
        }

        var action = new Uri(pageUrl, WebUtility.HtmlDecode(form.Groups["action"].Value));
        var response = await SendAsync(new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(values) }, cancellationToken);
        if (response.StatusCode is not (HttpStatusCode.Found or HttpStatusCode.SeeOther))
        {
            return (response, action);
        }

        var next = new Uri(action, response.Headers.Location!);
        response.Dispose();
        return await FollowAsync(next, cancellationToken);
    }

    public void Dispose() => _client.Dispose();

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            var host = request.RequestUri!.Host;
            if (_cookies.TryGetValue(host, out var jar) && jar.Count > 0)
            {
                request.Headers.Add("Cookie", string.Join("; ", jar.Select(c => $"{c.Key}={c.Value}")));
            }

            var response = await _client.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
            {
                foreach (var setCookie in setCookies)
                {
                    var pair = setCookie.Split(';')[0];
                    var separator = pair.IndexOf('=', StringComparison.Ordinal);
                    if (!_cookies.TryGetValue(host, out var hostJar))
                    {
                        hostJar = new Dictionary<string, string>(StringComparer.Ordinal);
                        _cookies[host] = hostJar;
                    }

                    if (separator == pair.Length - 1)
                    {
                        hostJar.Remove(pair[..separator]);
                    }
                    else
                    {
                        hostJar[pair[..separator]] = pair[(separator + 1)..];
                    }
                }
            }

            return response;
        }
    }

    [GeneratedRegex("<form[^>]*action=\"(?<action>[^\"]*)\"[^>]*>.*?</form>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex FormRegex();

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]*)\" value=\"(?<value>[^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex HiddenInputRegex();
}
