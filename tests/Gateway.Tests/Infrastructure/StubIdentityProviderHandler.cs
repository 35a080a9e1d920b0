using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Reference.Gateway.Tests.Infrastructure;

/// <summary>An in-memory discovery + JWKS endpoint for unit tests: counts requests, can hold or fail them.</summary>
public sealed class StubIdentityProviderHandler : HttpMessageHandler
{
    public const string Issuer = "https://idp.test";

    private readonly object _gate = new();
    private readonly List<Dictionary<string, string>> _keys = [];
    private readonly SemaphoreSlim _jwksServed = new(0);
    private TaskCompletionSource? _hold;
    private int _jwksRequests;

    public int JwksRequests => Volatile.Read(ref _jwksRequests);

    public string DiscoveryIssuer { get; set; } = Issuer;

    public HttpStatusCode JwksStatus { get; set; } = HttpStatusCode.OK;

    /// <summary>The JWKS response's <c>Cache-Control: max-age</c>, if any.</summary>
    public TimeSpan? MaxAge { get; set; }

    /// <summary>Serve a 200 whose body is not a JWKS.</summary>
    public bool Garbage { get; set; }

    // One RSA key for every kid: generating keys is slow, and these tests are about lookups, not key separation.
    private static readonly Lazy<RSA> SharedKey = new(() => RSA.Create(2048));

    /// <summary>The private key behind every published kid.</summary>
    public static RSA SigningKey => SharedKey.Value;

    public void AddRsaKey(string kid)
    {
        var parameters = SharedKey.Value.ExportParameters(false);
        lock (_gate)
        {
            _keys.Add(new() { ["kty"] = "RSA", ["kid"] = kid, ["use"] = "sig", ["n"] = Jws.B64(parameters.Modulus!), ["e"] = Jws.B64(parameters.Exponent!) });
        }
    }

    /// <summary>JWKS responses wait until <see cref="Release"/>.</summary>
    public void Hold() => _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _hold?.TrySetResult();

    public async Task WaitForJwksRequestsAsync(int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (JwksRequests < count)
        {
            await _jwksServed.WaitAsync(timeout.Token);
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        if (path == "/.well-known/openid-configuration")
        {
            return Json(new { issuer = DiscoveryIssuer, jwks_uri = "https://idp.test/jwks" });
        }

        if (path == "/jwks")
        {
            Interlocked.Increment(ref _jwksRequests);
            _jwksServed.Release();
            if (_hold is { } hold)
            {
                await hold.Task.WaitAsync(cancellationToken);
            }

            if (JwksStatus != HttpStatusCode.OK)
            {
                return new HttpResponseMessage(JwksStatus);
            }

            if (Garbage)
            {
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("<html>not a jwks</html>", Encoding.UTF8, "application/json") };
            }

            HttpResponseMessage response;
            lock (_gate)
            {
                response = Json(new { keys = _keys.ToArray() });
            }

            if (MaxAge is { } maxAge)
            {
                response.Headers.CacheControl = new System.Net.Http.Headers.CacheControlHeaderValue { MaxAge = maxAge };
            }

            return response;
        }

        return new HttpResponseMessage(HttpStatusCode.NotFound);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _jwksServed.Dispose();
        }

        base.Dispose(disposing);
    }

    private static HttpResponseMessage Json(object body) => new(HttpStatusCode.OK)
    {
        Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
    };
}

public sealed class StubHttpClientFactory(HttpMessageHandler handler) : IHttpClientFactory
{
    public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
}
