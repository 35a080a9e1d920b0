using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
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
    private readonly ConcurrentDictionary<string, IssuerState> _states = new(StringComparer.Ordinal);

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

    /// <summary>The <c>iss</c> of <paramref name="issuer"/>: configured, or read from its discovery document.</summary>
    public async ValueTask<string?> GetIssuerAsync(TrustedIssuer issuer, CancellationToken cancellationToken)
    {
        if (issuer.Issuer is not null)
        {
            return issuer.Issuer;
        }

        var state = State(issuer);
        if (Volatile.Read(ref state.ResolvedIssuer) is { } resolved)
        {
            return resolved;
        }

        var refresh = StartRefresh(state, issuer, _timeProvider.GetUtcNow());
        if (refresh is not null)
        {
            await refresh.WaitAsync(cancellationToken);
        }

        return Volatile.Read(ref state.ResolvedIssuer);
    }

    /// <summary>The key for <paramref name="keyId"/> from <paramref name="issuer"/>'s JWKS only, or null.</summary>
    public async ValueTask<SecurityKey?> GetSigningKeyAsync(TrustedIssuer issuer, string keyId, CancellationToken cancellationToken)
    {
        var state = State(issuer);
        var now = _timeProvider.GetUtcNow();
        var keys = Volatile.Read(ref state.Keys);
        var found = keys.TryGetValue(keyId, out var key);
        if (found && !IsStale(state, now))
        {
            return key;
        }

        var refresh = StartRefresh(state, issuer, now);
        if (refresh is null)
        {
            return found ? key : null;
        }

        await refresh.WaitAsync(cancellationToken);
        return Volatile.Read(ref state.Keys).TryGetValue(keyId, out key) ? key : null;
    }

    private IssuerState State(TrustedIssuer issuer) => _states.GetOrAdd(issuer.Name, static _ => new IssuerState());

    private bool IsStale(IssuerState state, DateTimeOffset now)
    {
        lock (state.Gate)
        {
            return state.LastSuccess is not { } success || now - success >= _options.CurrentValue.JwksRefreshInterval;
        }
    }

    private Task? StartRefresh(IssuerState state, TrustedIssuer issuer, DateTimeOffset now)
    {
        lock (state.Gate)
        {
            if (state.Refresh is { IsCompleted: false })
            {
                return state.Refresh;
            }

            if (state.LastAttempt is { } last && now - last < UnknownKeyRefreshInterval)
            {
                return null;
            }

            state.LastAttempt = now;
            state.Refresh = RefreshAsync(state, issuer);
            return state.Refresh;
        }
    }

    // Never throws: the outcome is the key set (new, or the cached one on failure). It does not take
    // the caller's cancellation token, since other requests may be waiting on the same fetch.
    private async Task RefreshAsync(IssuerState state, TrustedIssuer issuer)
    {
        var configured = issuer.JwksUri ?? issuer.MetadataAddress!;
        try
        {
            var client = _httpClientFactory.CreateClient(HttpClientName);
            var jwksUri = issuer.JwksUri;
            if (issuer.MetadataAddress is { } metadataAddress && (issuer.Issuer is null || issuer.JwksUri is null))
            {
                using var metadata = JsonDocument.Parse(await GetBoundedAsync(client, metadataAddress));
                var root = metadata.RootElement;
                var discovered = root.TryGetProperty("issuer", out var iss) && iss.ValueKind == JsonValueKind.String ? iss.GetString() : null;
                if (string.IsNullOrEmpty(discovered) || (issuer.Issuer is not null && discovered != issuer.Issuer))
                {
                    throw new InvalidDataException("The discovery document's issuer is missing or not the configured one.");
                }

                Volatile.Write(ref state.ResolvedIssuer, discovered);
                if (jwksUri is null)
                {
                    var jwks = root.TryGetProperty("jwks_uri", out var j) && j.ValueKind == JsonValueKind.String ? j.GetString() : null;
                    if (!Uri.TryCreate(jwks, UriKind.Absolute, out jwksUri) || (jwksUri.Scheme != Uri.UriSchemeHttp && jwksUri.Scheme != Uri.UriSchemeHttps))
                    {
                        throw new InvalidDataException("The discovery document has no usable jwks_uri.");
                    }
                }
            }

            var keys = ParseKeys(await GetBoundedAsync(client, jwksUri!), issuer);
            lock (state.Gate)
            {
                state.Keys = keys;
                state.LastSuccess = _timeProvider.GetUtcNow();
            }

            InternalTokenLog.KeysFetched(_logger, keys.Count, configured);
        }
#pragma warning disable CA1031 // Any failure to fetch keys keeps the cached keys; the next attempt is throttled.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            InternalTokenLog.KeysFetchFailed(_logger, ex, configured, Volatile.Read(ref state.Keys).Count);
        }
    }

    private async Task<string> GetBoundedAsync(HttpClient client, Uri configured)
    {
        var uri = _resolver.Resolve(configured);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        if (response.Content.Headers.ContentLength > MaxJwksBytes)
        {
            throw new InvalidDataException($"The document is larger than {MaxJwksBytes} bytes.");
        }

        return await ReadBoundedAsync(response.Content);
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

    private FrozenDictionary<string, SecurityKey> ParseKeys(string json, TrustedIssuer issuer)
    {
        var set = new JsonWebKeySet(json);
        var result = new Dictionary<string, SecurityKey>(StringComparer.Ordinal);
        var allowsEc = issuer.Algorithms.Contains("ES256");
        var allowsRsa = issuer.Algorithms.Contains("RS256") || issuer.Algorithms.Contains("PS256");
        foreach (var jwk in set.Keys)
        {
            if (string.IsNullOrEmpty(jwk.Kid) || jwk.Kid.Length > InternalTokenPreChecks.MaxKeyIdLength
                || (jwk.Use is not null && jwk.Use != JsonWebKeyUseNames.Sig)
                || (jwk.Alg is not null && !issuer.Algorithms.Contains(jwk.Alg)))
            {
                InternalTokenLog.KeyIgnored(_logger, "no usable kid, or not a signature key for a pinned algorithm");
                continue;
            }

            try
            {
                if (allowsEc && jwk.Kty == JsonWebAlgorithmsKeyTypes.EllipticCurve && jwk.Crv == JsonWebKeyECTypes.P256)
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
                else if (allowsRsa && jwk.Kty == JsonWebAlgorithmsKeyTypes.RSA)
                {
                    var modulus = Base64UrlEncoder.DecodeBytes(jwk.N);
                    if (modulus.Length < 256)
                    {
                        InternalTokenLog.KeyIgnored(_logger, "RSA key shorter than 2048 bits");
                        continue;
                    }

                    var rsa = RSA.Create(new RSAParameters { Modulus = modulus, Exponent = Base64UrlEncoder.DecodeBytes(jwk.E) });
                    result[jwk.Kid] = new RsaSecurityKey(rsa) { KeyId = jwk.Kid };
                }
                else
                {
                    InternalTokenLog.KeyIgnored(_logger, "key type not allowed for this issuer");
                }
            }
            catch (Exception ex) when (ex is CryptographicException or FormatException or ArgumentException)
            {
                InternalTokenLog.KeyIgnored(_logger, "invalid public key");
            }
        }

        return result.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private sealed class IssuerState
    {
        public readonly Lock Gate = new();
        public FrozenDictionary<string, SecurityKey> Keys = FrozenDictionary<string, SecurityKey>.Empty;
        public string? ResolvedIssuer;
        public DateTimeOffset? LastAttempt;
        public DateTimeOffset? LastSuccess;
        public Task? Refresh;
    }
}
