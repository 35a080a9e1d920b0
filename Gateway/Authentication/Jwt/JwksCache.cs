using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Reference.Gateway.Authentication.Jwt;

/// <summary>The outcome of a signing-key lookup by <c>kid</c>.</summary>
internal enum JwksLookupStatus
{
    Found,
    UnknownKey,

    /// <summary>No keys were ever loaded, or the last good keys are older than the maximum stale age (fail closed).</summary>
    KeysUnavailable,
}

internal readonly record struct JwksLookup(JwksLookupStatus Status, JsonWebKey? Key);

/// <summary>The state of one issuer's key cache, for health and metrics.</summary>
internal enum JwksCacheState
{
    /// <summary>No keys loaded yet.</summary>
    Empty,

    /// <summary>Keys within their cache lifetime.</summary>
    Fresh,

    /// <summary>Past their cache lifetime (refreshes failing) but within the maximum stale age: still used.</summary>
    Stale,

    /// <summary>Past the maximum stale age: no longer used.</summary>
    Expired,
}

/// <summary>
/// One issuer's signing keys, from its JWKS (directly, or through OIDC discovery). Requests never cause a fetch
/// per request: keys are loaded at startup (<see cref="JwksWarmupService"/>) and refreshed by a timer at 75 % of
/// their lifetime (the JWKS response's <c>Cache-Control: max-age</c> within the configured bounds, else
/// <see cref="JwtValidationOptions.JwksCacheDuration"/>); requests keep using the current keys meanwhile. Only an
/// unknown <c>kid</c> may wait, on at most one refresh per <see cref="JwtValidationOptions.UnknownKeyRefreshInterval"/>.
/// Concurrent refreshes share one fetch. A failed refresh keeps the last good keys and retries after the same
/// interval; keys past their lifetime are stale (health Degraded), and past
/// <see cref="JwtValidationOptions.MaxStaleAge"/> they are no longer used (fail closed, health Unhealthy).
/// </summary>
internal sealed class JwksCache : IDisposable
{
    public const string HttpClientName = "Reference.Gateway.Jwks";

    private const double RefreshAtFraction = 0.75;

    private static readonly HashSet<string> SupportedKeyTypes = new(StringComparer.Ordinal) { "RSA", "EC" };

    private readonly object _gate = new();
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly JwtIssuerOptions _issuer;
    private readonly JwtValidationOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly GatewayTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _disposing = new();
    private readonly ITimer _refreshTimer;

    private volatile KeySet? _keys;
    private long _generation;
    private Task<bool>? _refresh;
    private DateTimeOffset? _lastOnDemandRefresh;

    public JwksCache(
        string name,
        JwtIssuerOptions issuer,
        JwtValidationOptions options,
        IHttpClientFactory httpClientFactory,
        TimeProvider timeProvider,
        GatewayTelemetry telemetry,
        ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(options);
        Name = name;
        _issuer = issuer;
        _options = options;
        _httpClientFactory = httpClientFactory;
        _timeProvider = timeProvider;
        _telemetry = telemetry;
        _logger = logger;
        _refreshTimer = timeProvider.CreateTimer(_ => StartRefresh(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The issuer's configured name (<c>Issuers:{name}</c>).</summary>
    public string Name { get; }

    /// <summary>The issuer identifier (<c>iss</c>).</summary>
    public string Issuer => _issuer.Issuer!;

    public bool HasKeys => _keys is not null;

    /// <summary>Incremented each time a fetched key set replaces the one in use; validated-token cache entries from an
    /// older generation are re-verified.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>When the keys in use were fetched; null before the first successful fetch.</summary>
    public DateTimeOffset? KeysFetchedAt => _keys?.FetchedAt;

    /// <summary>When the keys in use stop being fresh; null before the first successful fetch.</summary>
    public DateTimeOffset? KeysExpireAt => _keys?.ExpiresAt;

    public JwksCacheState State
    {
        get
        {
            var keys = _keys;
            if (keys is null)
            {
                return JwksCacheState.Empty;
            }

            var staleness = _timeProvider.GetUtcNow() - keys.ExpiresAt;
            return staleness <= TimeSpan.Zero ? JwksCacheState.Fresh
                : staleness <= _options.MaxStaleAge ? JwksCacheState.Stale
                : JwksCacheState.Expired;
        }
    }

    /// <summary>How long the keys in use have been past their lifetime; zero when fresh or empty.</summary>
    public TimeSpan Staleness
    {
        get
        {
            var keys = _keys;
            var staleness = keys is null ? TimeSpan.Zero : _timeProvider.GetUtcNow() - keys.ExpiresAt;
            return staleness > TimeSpan.Zero ? staleness : TimeSpan.Zero;
        }
    }

    public async ValueTask<JwksLookup> GetSigningKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        var keys = _keys;
        if (keys is not null && State != JwksCacheState.Expired && keys.Keys.TryGetValue(keyId, out var known))
        {
            return new JwksLookup(JwksLookupStatus.Found, known);
        }

        // No usable keys (never loaded, or past the maximum stale age): fail fast, never hold the request on an
        // unavailable IdP; a throttled refresh starts in the background (the timer keeps retrying as well).
        var refresh = TryStartOnDemandRefresh(_timeProvider.GetUtcNow());
        if (keys is null || State == JwksCacheState.Expired)
        {
            return new JwksLookup(JwksLookupStatus.KeysUnavailable, null);
        }

        // An unknown kid (a rotation we have not seen yet): wait, once, on the throttled refresh.
        if (refresh is null)
        {
            JwtLog.UnknownKeyRefreshThrottled(_logger, Name);
        }
        else
        {
            await refresh.WaitAsync(cancellationToken);
        }

        keys = _keys;
        if (keys is null || State == JwksCacheState.Expired)
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
        _refreshTimer.Dispose();
        _disposing.Cancel();
        _disposing.Dispose();
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
        if (_disposing.IsCancellationRequested)
        {
            return Task.FromResult(false);
        }

        var token = _disposing.Token;
        _refresh = Task.Run(() => FetchAsync(token), CancellationToken.None);
        return _refresh;
    }

    private async Task<bool> FetchAsync(CancellationToken disposing)
    {
        using var timeout = new CancellationTokenSource(_options.JwksFetchTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(disposing, timeout.Token);
        var cancellationToken = linked.Token;
        try
        {
            var client = _httpClientFactory.CreateClient(HttpClientName);
            var jwksUri = _issuer.JwksUri ?? await GetJwksUriAsync(client, cancellationToken);
            using var response = await client.GetAsync(jwksUri, HttpCompletionOption.ResponseContentRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            var json = await response.Content.ReadAsStringAsync(cancellationToken);
            var keys = ParseKeys(json);
            var lifetime = Lifetime(response.Headers.CacheControl?.MaxAge);
            var now = _timeProvider.GetUtcNow();
            Schedule(lifetime * RefreshAtFraction);
            _keys = new KeySet(keys, now, now + lifetime);
            Interlocked.Increment(ref _generation);
            _telemetry.RecordJwksRefresh(Name, "success");
            JwtLog.KeysRefreshed(_logger, keys.Count, Name, lifetime);
            return true;
        }
        catch (Exception ex) when (!disposing.IsCancellationRequested
                                   && ex is HttpRequestException or JsonException or InvalidDataException or ArgumentException
                                       or InvalidOperationException or OperationCanceledException)
        {
            Schedule(_options.UnknownKeyRefreshInterval);
            _telemetry.RecordJwksRefresh(Name, timeout.IsCancellationRequested ? "timeout" : "failure");
            switch (State)
            {
                case JwksCacheState.Empty:
                    JwtLog.InitialLoadFailed(_logger, Name, ex);
                    break;
                case JwksCacheState.Expired:
                    JwtLog.KeysExpired(_logger, Name, Staleness, ex);
                    break;
                default:
                    JwtLog.RefreshFailed(_logger, Name, Staleness, ex);
                    break;
            }

            return false;
        }
    }

    private void Schedule(TimeSpan delay)
    {
        if (!_disposing.IsCancellationRequested)
        {
            _refreshTimer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    private TimeSpan Lifetime(TimeSpan? maxAge)
    {
        if (maxAge is not { } value)
        {
            return _options.JwksCacheDuration;
        }

        return value < _options.JwksMinCacheDuration ? _options.JwksMinCacheDuration
            : value > _options.JwksMaxCacheDuration ? _options.JwksMaxCacheDuration
            : value;
    }

    private async Task<Uri> GetJwksUriAsync(HttpClient client, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(_issuer.MetadataAddress, cancellationToken);
        response.EnsureSuccessStatusCode();
        var json = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("issuer", out var issuer) || issuer.ValueKind != JsonValueKind.String
            || !string.Equals(issuer.GetString(), _issuer.Issuer, StringComparison.Ordinal))
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
            JwtLog.DuplicateKeyId(_logger, Name);
        }

        if (keys.Count == 0)
        {
            throw new InvalidDataException("The JWKS holds no usable signing key.");
        }

        return keys;
    }

    private sealed record KeySet(IReadOnlyDictionary<string, JsonWebKey> Keys, DateTimeOffset FetchedAt, DateTimeOffset ExpiresAt);
}
