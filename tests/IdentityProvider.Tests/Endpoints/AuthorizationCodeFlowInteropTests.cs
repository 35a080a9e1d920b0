using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using static Reference.IdentityProvider.Tests.IdentityProviderFactory;

namespace Reference.IdentityProvider.Tests.Endpoints;

/// <summary>The front half of the code flow driven by a stock HttpClient that follows redirects and keeps cookies
/// in a CookieContainer, as a browser or an automation script would.</summary>
public sealed class AuthorizationCodeFlowInteropTests(IdentityProviderFactory factory) : IClassFixture<IdentityProviderFactory>
{
    [Fact]
    public async Task CodeFlow_StockHttpClientFollowingRedirects_EndsAtTheCallbackWithCodeStateAndIss()
    {
        // https: CookieContainer, unlike browsers and curl, does not treat http://localhost as a secure origin, and the
        // session cookie is always Secure.
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = true,
            HandleCookies = true,
            BaseAddress = new Uri("https://localhost"),
        });

        using var loginPage = await client.GetAsync(Browser.AuthorizeUrl());
        var html = await loginPage.Content.ReadAsStringAsync();
        Assert.Equal("https://localhost/account/login", loginPage.RequestMessage!.RequestUri!.GetLeftPart(UriPartial.Path));
        using var form = new FormUrlEncodedContent(
        [
            new("__RequestVerificationToken", Browser.AntiforgeryToken(html)),
            new("returnUrl", Browser.HiddenValue(html, "returnUrl")!),
            new("username", "carol"),
            new("password", UserPassword),
        ]);
        using var final = await client.PostAsync("/account/login", form);

        var callback = final.RequestMessage!.RequestUri!;
        var query = Browser.Query(callback);
        Assert.Equal(DemoWebRedirectUri, callback.GetLeftPart(UriPartial.Path));
        Assert.Equal(43, query["code"].Length);
        Assert.Equal("st-123", query["state"]);
        Assert.Equal(Issuer, query["iss"]);
        Assert.Equal(HttpStatusCode.NotFound, final.StatusCode);
    }
}
