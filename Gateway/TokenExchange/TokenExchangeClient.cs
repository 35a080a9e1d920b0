using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Reference.ServiceDefaults.Revocation;

namespace Reference.Gateway.TokenExchange;

/// <summary>The IdP refused the exchange: the request fails with this status and error code.</summary>
internal sealed class TokenExchangeRefusedException(int status, string error, string description) : Exception(description)
{
    public int Status { get; } = status;

    public string Error { get; } = error;
}

/// <summary>The IdP could not be asked (down, 5xx, timeout, breaker open): 503 with <see cref="RetryAfter"/>.</summary>
internal sealed class TokenExchangeUnavailableException(string message, TimeSpan retryAfter, Exception? inner = null) : Exception(message, inner)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>
/// RFC 8693 token exchange as the gateway's confidential client (client_secret_basic) at the token endpoint found
/// through discovery. Results are cached per (SHA-256 of the subject token, audience, scope) until shortly before
/// they expire (bounded). A timeout bounds each call and a circuit breaker protects the IdP; refusals (400) do not
/// count against the breaker. It never returns the subject token itself. A revocation evicts the exchanged tokens of
/// the subject tokens it names (<c>jti</c>, <c>sid</c>, <c>sub</c>).
/// </summary>
internal sealed class TokenExchangeClient : IRevocationListener
{
    public const string HttpClientName = "Reference.Gateway.TokenExchange";

    public const string GrantType = "urn:ietf:params:oauth:grant-type:token-exchange";

    public const string AccessTokenType = "urn:ietf:params:oauth:token-type:access_token";


    private readonly IHttpClientFactory _httpClientFactory;
    private readonly TokenExchangeOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<TokenExchangeClient> _logger;
    private readonly ResiliencePipeline _pipeline;
    private readonly AuthenticationHeaderValue _authorization;
    private readonly ConcurrentDictionary<(string TokenHash, string Audience, string Scope), (string Token, DateTimeOffset ExpiresAt, RevocationSubject Source)> _cache = new();
    private Uri? _endpoint;

    public TokenExchangeClient(
        IHttpClientFactory httpClientFactory,
        IOptions<TokenExchangeOptions> options,
        TimeProvider timeProvider,
        ILogger<TokenExchangeClient> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _httpClientFactory = httpClientFactory;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        var credentials = $"{Uri.EscapeDataString(_options.ClientId)}:{Uri.EscapeDataString(_options.ClientSecret ?? string.Empty)}";
        _authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = _options.BreakerFailureRatio,
                MinimumThroughput = _options.BreakerMinimumThroughput,
                SamplingDuration = _options.BreakerSamplingDuration,
                BreakDuration = _options.BreakDuration,
                ShouldHandle = new PredicateBuilder()
                    .Handle<TokenExchangeUnavailableException>()
                    .Handle<TimeoutRejectedException>()
                    .Handle<HttpRequestException>(),
                OnOpened = args =>
                {
                    TokenExchangeLog.BreakerOpened(_logger, args.BreakDuration.TotalSeconds);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    TokenExchangeLog.BreakerClosed(_logger);
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(_options.Timeout)
            .Build();
    }

    /// <summary>How many exchange calls reached the IdP (cache misses); for tests and diagnostics.</summary>
    public int Exchanges => Volatile.Read(ref _exchanges);

    private int _exchanges;

    /// <summary>
    /// An access token for <paramref name="audience"/>, on behalf of the subject of <paramref name="subjectToken"/>.
    /// Throws <see cref="TokenExchangeRefusedException"/> or <see cref="TokenExchangeUnavailableException"/>.
    /// </summary>
    public async Task<string> ExchangeAsync(string subjectToken, DateTimeOffset subjectExpiresAt, string audience, string scope, CancellationToken cancellationToken) =>
        await ExchangeAsync(subjectToken, subjectExpiresAt, audience, scope, default, cancellationToken);

    /// <summary>As above; <paramref name="source"/> names the subject token for revocation (jti, sid, sub).</summary>
    public async Task<string> ExchangeAsync(
        string subjectToken, DateTimeOffset subjectExpiresAt, string audience, string scope, RevocationSubject source, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(subjectToken);
        var key = (Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(subjectToken))), audience, scope);
        var now = _timeProvider.GetUtcNow();
        if (_cache.TryGetValue(key, out var cached) && now < cached.ExpiresAt - _options.RenewBeforeExpiry)
        {
            return cached.Token;
        }

        using var activity = GatewayTelemetry.ActivitySource.StartActivity("gateway.token_exchange");
        activity?.SetTag("gateway.token_exchange.audience", audience);
        activity?.SetTag("gateway.token_exchange.scope", scope);
        try
        {
            var (token, expiresIn) = await _pipeline.ExecuteAsync(
                static (state, ct) => state.Client.SendOnceAsync(state.SubjectToken, state.Audience, state.Scope, ct),
                (Client: this, SubjectToken: subjectToken, Audience: audience, Scope: scope),
                cancellationToken);
            var expiresAt = now + expiresIn;
            if (expiresAt > subjectExpiresAt)
            {
                expiresAt = subjectExpiresAt;
            }

            if (expiresAt - now > _options.RenewBeforeExpiry)
            {
                if (_cache.Count >= _options.MaxCacheEntries)
                {
                    Sweep(now);
                }

                _cache[key] = (token, expiresAt, source);
            }

            activity?.SetTag("gateway.token_exchange.result", "issued");
            return token;
        }
        catch (BrokenCircuitException ex)
        {
            activity?.SetTag("gateway.token_exchange.result", "circuit_open");
            TokenExchangeLog.Unavailable(_logger, audience, "circuit open");
            throw new TokenExchangeUnavailableException("The token-exchange circuit is open.", ex.RetryAfter ?? _options.BreakDuration, ex);
        }
        catch (Exception ex) when (ex is TimeoutRejectedException or HttpRequestException
                                   || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            activity?.SetTag("gateway.token_exchange.result", "unavailable");
            TokenExchangeLog.Unavailable(_logger, audience, ex is TimeoutRejectedException ? "timeout" : "network error");
            throw new TokenExchangeUnavailableException("The token exchange failed.", TimeSpan.FromSeconds(5), ex);
        }
        catch (TokenExchangeUnavailableException ex)
        {
            activity?.SetTag("gateway.token_exchange.result", "unavailable");
            TokenExchangeLog.Unavailable(_logger, audience, ex.Message);
            throw;
        }
        catch (TokenExchangeRefusedException ex)
        {
            activity?.SetTag("gateway.token_exchange.result", ex.Error);
            TokenExchangeLog.Refused(_logger, key.Item1[..8], audience, ex.Error);
            throw;
        }
    }

    public int OnRevoked(RevocationEntry revocation)
    {
        var evicted = 0;
        foreach (var (key, entry) in _cache)
        {
            if (entry.Source.IsConcernedBy(revocation) && _cache.TryRemove(new KeyValuePair<(string, string, string), (string, DateTimeOffset, RevocationSubject)>(key, entry)))
            {
                evicted++;
            }
        }

        return evicted;
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (key, entry) in _cache)
        {
            if (now >= entry.ExpiresAt - _options.RenewBeforeExpiry)
            {
                _cache.TryRemove(key, out _);
            }
        }

        if (_cache.Count >= _options.MaxCacheEntries)
        {
            _cache.Clear();
        }
    }

    private async ValueTask<(string Token, TimeSpan ExpiresIn)> SendOnceAsync(
        string subjectToken, string audience, string scope, CancellationToken cancellationToken)
    {
        var client = _httpClientFactory.CreateClient(HttpClientName);
        var endpoint = _endpoint ?? await DiscoverEndpointAsync(client, cancellationToken);
        List<KeyValuePair<string, string>> form =
        [
            new("grant_type", GrantType),
            new("subject_token", subjectToken),
            new("subject_token_type", AccessTokenType),
            new("audience", audience),
        ];
        if (scope.Length > 0)
        {
            form.Add(new("scope", scope));
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = _authorization;
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        Interlocked.Increment(ref _exchanges);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            // The gateway's own credentials were refused: a configuration problem, not the caller's fault.
            TokenExchangeLog.ClientRejected(_logger, (int)response.StatusCode);
            throw new TokenExchangeUnavailableException($"The token endpoint refused the gateway's client (HTTP {(int)response.StatusCode}).", _options.BreakDuration);
        }

        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            var error = ReadError(await ReadBoundedAsync(response, cancellationToken));
            throw error switch
            {
                "invalid_scope" => new TokenExchangeRefusedException(
                    StatusCodes.Status403Forbidden, "insufficient_scope", "The caller's token does not allow the scopes this route needs."),
                "invalid_target" or "unauthorized_client" => new TokenExchangeRefusedException(
                    StatusCodes.Status403Forbidden, "access_denied", "The caller's token may not be exchanged for this service."),
                "invalid_request" or "invalid_grant" => new TokenExchangeRefusedException(
                    StatusCodes.Status401Unauthorized, "invalid_token", "The token was refused by the identity provider."),
                _ => new TokenExchangeUnavailableException($"The token endpoint answered 400 {error}.", TimeSpan.FromSeconds(5)),
            };
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new TokenExchangeUnavailableException(
                $"The token endpoint answered HTTP {(int)response.StatusCode}.", RetryAfter(response) ?? TimeSpan.FromSeconds(5));
        }

        var body = await ReadBoundedAsync(response, cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("access_token", out var token) && token.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(token.GetString())
                && root.TryGetProperty("token_type", out var type) && string.Equals(type.GetString(), "Bearer", StringComparison.OrdinalIgnoreCase)
                && root.TryGetProperty("expires_in", out var expiresIn) && expiresIn.TryGetInt64(out var seconds) && seconds > 0
                && !string.Equals(token.GetString(), subjectToken, StringComparison.Ordinal))
            {
                return (token.GetString()!, TimeSpan.FromSeconds(Math.Min(seconds, 3600)));
            }
        }
        catch (JsonException ex)
        {
            throw new TokenExchangeUnavailableException("The token response is not JSON.", TimeSpan.FromSeconds(5), ex);
        }

        throw new TokenExchangeUnavailableException("The token response is not a usable bearer token.", TimeSpan.FromSeconds(5));
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter?.Delta is { } delta && delta > TimeSpan.Zero && delta < TimeSpan.FromMinutes(5) ? delta : null;

    private static string ReadError(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String
                ? error.GetString()!
                : "unknown";
        }
        catch (JsonException)
        {
            return "unknown";
        }
    }

    private async Task<Uri> DiscoverEndpointAsync(HttpClient client, CancellationToken cancellationToken)
    {
        var (endpoint, problem) = await IdentityProviderHttp.DiscoverEndpointAsync(client, _options.MetadataAddress, "token_endpoint", cancellationToken);
        _endpoint = endpoint ?? throw new TokenExchangeUnavailableException(problem!, TimeSpan.FromSeconds(5));
        return endpoint;
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        await IdentityProviderHttp.ReadBoundedAsync(response, cancellationToken)
            ?? throw new TokenExchangeUnavailableException("The response is too large.", TimeSpan.FromSeconds(5));

    internal static string FormatRetryAfter(TimeSpan retryAfter) =>
        ((long)Math.Ceiling(Math.Max(1, retryAfter.TotalSeconds))).ToString(CultureInfo.InvariantCulture);
}
