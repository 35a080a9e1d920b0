using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Reference.Gateway.Authentication.Jwt;

/// <summary>The outcome of a signing-key lookup by <c>kid</c>.</summary>
internal enum JwksLookupStatus
{
    Found,
    UnknownKey,
    KeysUnavailable,
}

internal readonly record struct JwksLookup(JwksLookupStatus Status, JsonWebKey? Key);

/// <summary>
/// The issuer's signing keys, found through OIDC discovery and cached. Requests never cause a fetch per
/// request: keys are loaded at startup (<see cref="JwksWarmupService"/>), refreshed in the background once
/// <see cref="JwtValidationOptions.JwksCacheDuration"/> has passed (requests keep using the current keys),
/// and an unknown <c>kid</c> causes at most one refresh per <see cref="JwtValidationOptions.UnknownKeyRefreshInterval"/>.
/// Concurrent refreshes share one fetch. A failed refresh keeps the last good keys.
/// </summary>
internal sealed class JwksCache : IDisposable
{
    public const string HttpClientName = "Reference.Gateway.Jwks";

    private static readonly HashSet<string> SupportedKeyTypes = new(StringComparer.Ordinal) { "RSA", "EC" };

    private readonly object _gate = new();
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly JwtValidationOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly GatewayTelemetry _telemetry;
    private readonly ILogger<JwksCache> _logger;
    private readonly CancellationTokenSource _disposing = new();

    private volatile KeySet? _keys;
    private Task<bool>? _refresh;
    private DateTimeOffset _nextScheduledRefresh = DateTimeOffset.MinValue;
    private DateTimeOffset? _lastOnDemandRefresh;

    public JwksCache(
        IHttpClientFactory httpClientFactory,
        IOptions<JwtValidationOptions> options,
        TimeProvider timeProvider,
        GatewayTelemetry telemetry,
        ILogger<JwksCache> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _httpClientFactory = httpClientFactory;
        _options = options.Value;
        _timeProvider = timeProvider;
        _telemetry = telemetry;
        _logger = logger;
    }

    public bool HasKeys => _keys is not null;

    /// <summary>When the keys in use were fetched; null before the first successful fetch.</summary>
    public DateTimeOffset? KeysFetchedAt => _keys?.FetchedAt;

    public async ValueTask<JwksLookup> GetSigningKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        var now = _timeProvider.GetUtcNow();
        var keys = _keys;
        if (keys is not null && now >= ReadNextScheduledRefresh())
        {
            // Due for a refresh: start it in the background; this request keeps using the current keys.
            _ = StartRefresh();
        }

        if (keys is not null && keys.Keys.TryGetValue(keyId, out var known))
        {
            return new JwksLookup(JwksLookupStatus.Found, known);
        }

        var refresh = JoinRefreshInFlight() ?? TryStartOnDemandRefresh(now);
        if (refresh is null)
        {
            JwtLog.UnknownKeyRefreshThrottled(_logger);
            return new JwksLookup(keys is null ? JwksLookupStatus.KeysUnavailable : JwksLookupStatus.UnknownKey, null);
        }

        await refresh.WaitAsync(cancellationToken);
        keys = _keys;
        if (keys is null)
        {
            return new JwksLookup(JwksLookupStatus.KeysUnavailable, null);
        }

        return keys.Keys.TryGetValue(keyId, out var refreshed)
            ? new JwksLookup(JwksLookupStatus.Found, refreshed)
            : new JwksLookup(JwksLookupStatus.UnknownKey, null);
    }

    /// <summary>Fetches the keys now (joining a fetch already in flight). True when keys were loaded.</summary>
    public Task<bool> RefreshAsync(CancellationToken cancellationToken) => StartRefresh().WaitAsync(cancellationToken);

    public void Dispose()
    {
        _disposing.Cancel();
        _disposing.Dispose();
    }

    private DateTimeOffset ReadNextScheduledRefresh()
    {
        lock (_gate)
        {
            return _nextScheduledRefresh;
        }
    }

    private Task<bool>? JoinRefreshInFlight()
    {
        lock (_gate)
        {
            return _refresh is { IsCompleted: false } inFlight ? inFlight : null;
        }
    }

    private Task<bool>? TryStartOnDemandRefresh(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_refresh is { IsCompleted: false } inFlight)
            {
                return inFlight;
            }

            if (_lastOnDemandRefresh is { } last && now - last < _options.UnknownKeyRefreshInterval)
            {
                return null;
            }

            _lastOnDemandRefresh = now;
            return StartRefreshLocked();
        }
    }

    private Task<bool> StartRefresh()
    {
        lock (_gate)
        {
            return _refresh is { IsCompleted: false } inFlight ? inFlight : StartRefreshLocked();
        }
    }

    private Task<bool> StartRefreshLocked()
    {
        var token = _disposing.Token;
        _refresh = Task.Run(() => FetchAsync(token), token);
        return _refresh;
    }

    private async Task<bool> FetchAsync(CancellationToken cancellationToken)
    {
        try
        {
            var client = _httpClientFactory.CreateClient(HttpClientName);
            var jwksUri = await GetJwksUriAsync(client, cancellationToken);
            using var response = await client.GetAsync(jwksUri, cancellationToken);
            response.EnsureSuccessStatusCode();
            var json = await response.Content.ReadAsStringAsync(cancellationToken);
            var keys = ParseKeys(json);
            var now = _timeProvider.GetUtcNow();
            _keys = new KeySet(keys, now);
            lock (_gate)
            {
                _nextScheduledRefresh = now + _options.JwksCacheDuration;
            }

            _telemetry.RecordJwksRefresh("success");
            JwtLog.KeysRefreshed(_logger, keys.Count);
            return true;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested
                                   && ex is HttpRequestException or JsonException or InvalidDataException or ArgumentException
                                       or InvalidOperationException or TaskCanceledException)
        {
            lock (_gate)
            {
                _nextScheduledRefresh = _timeProvider.GetUtcNow() + _options.UnknownKeyRefreshInterval;
            }

            _telemetry.RecordJwksRefresh("failure");
            JwtLog.RefreshFailed(_logger, _options.MetadataAddress, ex);
            return false;
        }
    }

    private async Task<Uri> GetJwksUriAsync(HttpClient client, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(_options.MetadataAddress, cancellationToken);
        response.EnsureSuccessStatusCode();
        var json = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("issuer", out var issuer) || issuer.ValueKind != JsonValueKind.String
            || !string.Equals(issuer.GetString(), _options.Issuer, StringComparison.Ordinal))
        {
            // OIDC Discovery §4.3: the document's issuer must be exactly the issuer we expect.
            throw new InvalidDataException("The discovery document's issuer does not match the configured issuer.");
        }

        if (!root.TryGetProperty("jwks_uri", out var jwksUri) || jwksUri.ValueKind != JsonValueKind.String
            || !Uri.TryCreate(jwksUri.GetString(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new InvalidDataException("The discovery document has no absolute http(s) jwks_uri.");
        }

        return uri;
    }

    private Dictionary<string, JsonWebKey> ParseKeys(string json)
    {
        var set = new JsonWebKeySet(json);
        var keys = new Dictionary<string, JsonWebKey>(StringComparer.Ordinal);
        var duplicates = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in set.Keys)
        {
            if (string.IsNullOrEmpty(key.Kid) || key.Kid.Length > JwtPreValidator.MaxKeyIdLength
                || !SupportedKeyTypes.Contains(key.Kty)
                || !(string.IsNullOrEmpty(key.Use) || string.Equals(key.Use, "sig", StringComparison.Ordinal)))
            {
                continue;
            }

            if (!keys.TryAdd(key.Kid, key))
            {
                duplicates.Add(key.Kid);
            }
        }

        // Two keys under one kid make the lookup ambiguous: use neither.
        foreach (var kid in duplicates)
        {
            keys.Remove(kid);
            JwtLog.DuplicateKeyId(_logger);
        }

        if (keys.Count == 0)
        {
            throw new InvalidDataException("The JWKS holds no usable signing key.");
        }

        return keys;
    }

    private sealed record KeySet(IReadOnlyDictionary<string, JsonWebKey> Keys, DateTimeOffset FetchedAt);
}
