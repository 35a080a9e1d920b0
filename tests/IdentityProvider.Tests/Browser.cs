using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.WebUtilities;

namespace Reference.IdentityProvider.Tests;

/// <summary>
/// A browser-like client for the TestServer: keeps cookies itself (so tests can read and tamper with them), never
/// follows redirects on its own, and posts forms with the antiforgery token parsed from the page.
/// </summary>
internal sealed class Browser(HttpClient client) : IDisposable
{
    public const string LoginPath = "/account/login";
    public const string AuthorizePath = "/connect/authorize";
    public const string SessionCookie = "__Host-idp.session";
    public const string Verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    public Dictionary<string, string> Cookies { get; } = new(StringComparer.Ordinal);

    public List<string> SetCookieHeaders { get; } = [];

    public static Browser Create(IdentityProviderFactory factory) =>
        new(factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false }));

    public static string Challenge(string verifier = Verifier) =>
        Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    /// <summary>An authorization request for <paramref name="clientId"/>; an override with a null value removes the parameter.</summary>
    public static string AuthorizeUrl(string clientId = "demo-web", string redirectUri = IdentityProviderFactory.DemoWebRedirectUri, params (string Name, string? Value)[] overrides)
    {
        var parameters = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["response_type"] = "code",
            ["client_id"] = clientId,
            ["redirect_uri"] = redirectUri,
            ["scope"] = "openid profile email",
            ["state"] = "st-123",
            ["nonce"] = "n-456",
            ["code_challenge"] = Challenge(),
            ["code_challenge_method"] = "S256",
        };
        foreach (var (name, value) in overrides)
        {
            if (value is null)
            {
                parameters.Remove(name);
            }
            else
            {
                parameters[name] = value;
            }
        }

        return QueryHelpers.AddQueryString(AuthorizePath, parameters);
    }

    public async Task<HttpResponseMessage> GetAsync(string url) => await SendAsync(new HttpRequestMessage(HttpMethod.Get, url));

    public async Task<HttpResponseMessage> PostFormAsync(string url, IEnumerable<KeyValuePair<string, string>> form) =>
        await SendAsync(new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) });

    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        if (Cookies.Count > 0)
        {
            request.Headers.Add("Cookie", string.Join("; ", Cookies.Select(c => $"{c.Key}={c.Value}")));
        }

        var response = await client.SendAsync(request);
        if (response.Headers.TryGetValues("Set-Cookie", out var values))
        {
            foreach (var header in values)
            {
                SetCookieHeaders.Add(header);
                var pair = header.Split(';')[0];
                var separator = pair.IndexOf('=', StringComparison.Ordinal);
                var name = pair[..separator];
                var value = pair[(separator + 1)..];
                if (value.Length == 0 || header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase))
                {
                    Cookies.Remove(name);
                }
                else
                {
                    Cookies[name] = value;
                }
            }
        }

        return response;
    }

    /// <summary>GETs the login page and posts it (with its antiforgery token).</summary>
    public async Task<HttpResponseMessage> SignInAsync(string username, string password, string? returnUrl = null)
    {
        using var page = await GetAsync(returnUrl is null ? LoginPath : QueryHelpers.AddQueryString(LoginPath, "returnUrl", returnUrl));
        var html = await page.Content.ReadAsStringAsync();
        var form = new List<KeyValuePair<string, string>>
        {
            new("__RequestVerificationToken", AntiforgeryToken(html)),
            new("username", username),
            new("password", password),
        };
        if (HiddenValue(html, "returnUrl") is { } hiddenReturnUrl)
        {
            form.Add(new("returnUrl", hiddenReturnUrl));
        }

        return await PostFormAsync(LoginPath, form);
    }

    /// <summary>Runs an authorization request through the login page if needed; returns the final redirect to the client.</summary>
    public async Task<Uri> AuthorizeAsync(string authorizeUrl, string username = "alice", string password = IdentityProviderFactory.UserPassword)
    {
        var response = await GetAsync(authorizeUrl);
        if (response.Headers.Location is { } location && location.OriginalString.StartsWith(LoginPath, StringComparison.Ordinal))
        {
            var returnUrl = Query(location)["returnUrl"];
            response = await SignInAsync(username, password, returnUrl);
            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
            response = await GetAsync(response.Headers.Location!.OriginalString);
        }

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        return response.Headers.Location!;
    }

    public static string AntiforgeryToken(string html) =>
        HiddenValue(html, "__RequestVerificationToken") ?? throw new InvalidOperationException("No antiforgery token in the page.");

    public static string? HiddenValue(string html, string name)
    {
        var match = Regex.Match(html, $"name=\"{Regex.Escape(name)}\" value=\"([^\"]*)\"");
        return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : null;
    }

    public static Dictionary<string, string> Query(Uri uri) =>
        QueryHelpers.ParseQuery((uri.IsAbsoluteUri ? uri : new Uri(new Uri("http://localhost"), uri)).Query)
            .ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);

    public void Dispose() => client.Dispose();
}
