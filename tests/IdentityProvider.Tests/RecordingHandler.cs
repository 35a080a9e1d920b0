using System.Collections.Concurrent;
using System.Net;

namespace Reference.IdentityProvider.Tests;

/// <summary>A fake downstream for outgoing HTTP calls: records each request (URI and form body) and answers
/// <see cref="StatusCode"/>. (Disposing an HttpMessageHandler base releases nothing, so handler rotation is harmless.)</summary>
public sealed class RecordingHandler : HttpMessageHandler
{
    public ConcurrentQueue<(Uri Uri, string Body)> Requests { get; } = new();

    public HttpStatusCode StatusCode { get; set; } = HttpStatusCode.OK;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Enqueue((request.RequestUri!, body));
        return new HttpResponseMessage(StatusCode);
    }
}
