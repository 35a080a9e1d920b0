using Microsoft.AspNetCore.Http;
using Reference.Gateway.Authentication.Sessions;
using Yarp.ReverseProxy.Transforms;

namespace Reference.Gateway.Tests.Authentication.Sessions;

public sealed class SessionCookieRequestTransformTests
{
    [Theory]
    [InlineData("bff.session=abc", null)]
    [InlineData("__Host-bff.session=abc", null)]
    [InlineData("theme=dark; bff.session=abc; lang=en", "theme=dark; lang=en")]
    [InlineData("bff.session=abc;theme=dark", "theme=dark")]
    [InlineData(" bff.session = abc ; __Host-bff.session=def", null)]
    [InlineData("theme=dark", "theme=dark")]
    [InlineData("BFF.SESSION=abc", "BFF.SESSION=abc")]
    [InlineData("xbff.session=abc; bff.sessionx=def", "xbff.session=abc; bff.sessionx=def")]
    public async Task Apply_SessionCookie_RemovedOtherCookiesKept(string inbound, string? forwarded)
    {
        var httpContext = new DefaultHttpContext();
        httpContext.Request.Headers.Cookie = inbound;
        using var proxyRequest = new HttpRequestMessage(HttpMethod.Get, "http://downstream/x");
        proxyRequest.Headers.TryAddWithoutValidation("Cookie", inbound);
        var context = new RequestTransformContext
        {
            HttpContext = httpContext,
            ProxyRequest = proxyRequest,
            Path = "/x",
            Query = new QueryTransformContext(httpContext.Request),
            DestinationPrefix = "http://downstream",
            HeadersCopied = true,
        };

        await SessionCookieRequestTransform.Instance.ApplyAsync(context);

        var sent = proxyRequest.Headers.TryGetValues("Cookie", out var values) ? string.Join("; ", values) : null;
        Assert.Equal(forwarded, sent);
    }
}
