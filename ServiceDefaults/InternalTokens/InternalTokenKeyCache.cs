using System.Collections.Frozen;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Reference.ServiceDefaults.ServiceDiscovery;

namespace Reference.ServiceDefaults.InternalTokens;

/// <summary>
/// The gateway's public keys, fetched from its JWKS and cached. Keys are refreshed when older than
/// <see cref="InternalTokenOptions.JwksRefreshInterval"/>, or on an unknown <c>kid</c> at most once
/// per <see cref="UnknownKeyRefreshInterval"/> (an attacker sending random kids cannot make the
/// service hammer the gateway). Concurrent refreshes are coalesced into one fetch. A failed fetch
/// keeps the cached keys. Only EC P-256 signature keys with a <c>kid</c> are kept.
/// </summary>
internal sealed class InternalTokenKeyCache
{
    public const string HttpClientName = "Reference.InternalTokens.Jwks";
    public static readonly TimeSpan UnknownKeyRefreshInterval = TimeSpan.FromSeconds(30);
    private const int MaxJwksBytes = 64 * 1024;

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly ServiceEndpointResolver _resolver;
    private readonly IOptionsMonitor<InternalTokenOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<InternalTokenKeyCache> _logger;
    private readonly Lock _gate = new();
    private FrozenDictionary<string, SecurityKey> _keys = FrozenDictionary<string, SecurityKey>.Empty;
    private DateTimeOffset? _lastAttempt;
    private DateTimeOffset? _lastSuccess;
    private Task? _refresh;

    public InternalTokenKeyCache(
        IHttpClientFactory httpClientFactory,
        ServiceEndpointResolver resolver,
        IOptionsMonitor<InternalTokenOptions> options,
        TimeProvider timeProvider,
        ILogger<InternalTokenKeyCache> logger)
    {
        _httpClientFactory = httpClientFactory;
        _resolver = resolver;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The key for <paramref name="keyId"/>, or null when the gateway does not publish it.</summary>
    public async ValueTask<SecurityKey?> GetSigningKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var keys = Volatile.Read(ref _keys);
        var found = keys.TryGetValue(keyId, out var key);
        if (found && !IsStale(now))
        {
            return key;
        }

        var refresh = StartRefresh(now);
        if (refresh is null)
        {
            return found ? key : null;
        }

        await refresh.WaitAsync(cancellationToken);
        return Volatile.Read(ref _keys).TryGetValue(keyId, out key) ? key : null;
    }

    private bool IsStale(DateTimeOffset now)
    {
        lock (_gate)
        {
            return _lastSuccess is not { } success || now - success >= _options.CurrentValue.JwksRefreshInterval;
        }
    }

    private Task? StartRefresh(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_refresh is { IsCompleted: false })
            {
                return _refresh;
            }

            if (_lastAttempt is { } last && now - last < UnknownKeyRefreshInterval)
            {
                return null;
            }

            _lastAttempt = now;
            _refresh = RefreshAsync();
            return _refresh;
        }
    }

    // Never throws: the outcome is the key set (new, or the cached one on failure). It does not take
    // the caller's cancellation token, since other requests may be waiting on the same fetch.
    private async Task RefreshAsync()
    {
        var configured = _options.CurrentValue.JwksUri;
        try
        {
            var uri = _resolver.Resolve(configured);
            var client = _httpClientFactory.CreateClient(HttpClientName);
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            if (response.Content.Headers.ContentLength > MaxJwksBytes)
            {
                throw new InvalidDataException($"The JWKS is larger than {MaxJwksBytes} bytes.");
            }

            var json = await ReadBoundedAsync(response.Content);
            var keys = ParseKeys(json);
            lock (_gate)
            {
                _keys = keys;
                _lastSuccess = _timeProvider.GetUtcNow();
            }

            InternalTokenLog.KeysFetched(_logger, keys.Count, configured);
        }
#pragma warning disable CA1031 // Any failure to fetch keys keeps the cached keys; the next attempt is throttled.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            InternalTokenLog.KeysFetchFailed(_logger, ex, configured, Volatile.Read(ref _keys).Count);
        }
    }

    private static async Task<string> ReadBoundedAsync(HttpContent content)
    {
        await using var stream = await content.ReadAsStreamAsync();
        var buffer = new byte[MaxJwksBytes + 1];
        var total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory(total))) > 0)
        {
            total += read;
            if (total > MaxJwksBytes)
            {
                throw new InvalidDataException($"The JWKS is larger than {MaxJwksBytes} bytes.");
            }
        }

        return System.Text.Encoding.UTF8.GetString(buffer, 0, total);
    }

    private FrozenDictionary<string, SecurityKey> ParseKeys(string json)
    {
        var set = new JsonWebKeySet(json);
        var result = new Dictionary<string, SecurityKey>(StringComparer.Ordinal);
        foreach (var jwk in set.Keys)
        {
            if (jwk.Kty != JsonWebAlgorithmsKeyTypes.EllipticCurve || jwk.Crv != JsonWebKeyECTypes.P256)
            {
                InternalTokenLog.KeyIgnored(_logger, "not an EC P-256 key");
                continue;
            }

            if (string.IsNullOrEmpty(jwk.Kid) || jwk.Kid.Length > InternalTokenPreChecks.MaxKeyIdLength
                || (jwk.Use is not null && jwk.Use != JsonWebKeyUseNames.Sig)
                || (jwk.Alg is not null && jwk.Alg != InternalTokenDefaults.Algorithm))
            {
                InternalTokenLog.KeyIgnored(_logger, "no usable kid, or not an ES256 signature key");
                continue;
            }

            try
            {
                // Importing checks that the point is on the curve.
                var ecdsa = ECDsa.Create(new ECParameters
                {
                    Curve = ECCurve.NamedCurves.nistP256,
                    Q = new ECPoint
                    {
                        X = Base64UrlEncoder.DecodeBytes(jwk.X),
                        Y = Base64UrlEncoder.DecodeBytes(jwk.Y),
                    },
                });
                result[jwk.Kid] = new ECDsaSecurityKey(ecdsa) { KeyId = jwk.Kid };
            }
            catch (Exception ex) when (ex is CryptographicException or FormatException or ArgumentException)
            {
                InternalTokenLog.KeyIgnored(_logger, "invalid EC public key");
            }
        }

        return result.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
