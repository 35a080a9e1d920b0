using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Reference.ServiceDefaults.ServiceDiscovery;

namespace Reference.Orders.Api.Delegation;

internal enum ExchangeStatus
{
    Issued,
    Refused,
    Unavailable,
    NotConfigured,
}

internal readonly record struct ExchangeResult(ExchangeStatus Status, string? AccessToken, string? Error)
{
    /// <summary>For <see cref="ExchangeStatus.Unavailable"/>: when to retry.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// RFC 8693 token exchange at the IdP as Orders.Api's own confidential client (client_secret_basic):
/// subject token = the token Orders.Api received; audience and scope from <see cref="TokenExchangeOptions"/>.
/// Results are cached per (SHA-256 of the subject token, audience, scope) until 30 s before expiry.
/// Never falls back to forwarding the subject token. A circuit breaker (Polly) protects the IdP: only unavailability
/// (5xx, unreachable, timeout, unusable answer) counts; while it is open no request reaches the IdP and the answer is
/// Unavailable with the remaining break as Retry-After; a successful half-open probe closes it (no restart).
/// </summary>
internal sealed class TokenExchangeClient
{
    public const string HttpClientName = "Reference.Orders.TokenExchange";
    private static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(30);
    private const int MaxCacheEntries = 10_000;
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly ServiceEndpointResolver _resolver;
    private readonly IOptionsMonitor<TokenExchangeOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<TokenExchangeClient> _logger;
    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset RefreshAt)> _cache = new(StringComparer.Ordinal);
    private readonly ResiliencePipeline<ExchangeResult> _pipeline;
    private int _exchangeCount;

    public TokenExchangeClient(IHttpClientFactory httpClientFactory, ServiceEndpointResolver resolver, IOptionsMonitor<TokenExchangeOptions> options, TimeProvider timeProvider,
        ILogger<TokenExchangeClient> logger)
    {
        _logger = logger;
        _httpClientFactory = httpClientFactory;
        _resolver = resolver;
        _options = options;
        _timeProvider = timeProvider;
        var breaker = options.CurrentValue;
        _pipeline = new ResiliencePipelineBuilder<ExchangeResult> { TimeProvider = timeProvider }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<ExchangeResult>
            {
                FailureRatio = breaker.BreakerFailureRatio,
                MinimumThroughput = breaker.BreakerMinimumThroughput,
                SamplingDuration = breaker.BreakerSamplingDuration,
                BreakDuration = breaker.BreakDuration,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Result.Status == ExchangeStatus.Unavailable || args.Outcome.Exception is TimeoutRejectedException),
                OnOpened = args =>
                {
                    DelegationLog.BreakerOpened(_logger, args.BreakDuration.TotalSeconds);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    DelegationLog.BreakerClosed(_logger);
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(breaker.Timeout)
            .Build();
    }

    /// <summary>How many exchanges reached the IdP (tests observe cache reuse).</summary>
    public int ExchangeCount => Volatile.Read(ref _exchangeCount);

    public async Task<ExchangeResult> ExchangeAsync(string subjectToken, CancellationToken cancellationToken)
    {
        var result = await ExchangeCoreAsync(subjectToken, cancellationToken);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(subjectToken)))[..12];
        if (result.Status == ExchangeStatus.Issued)
        {
            DelegationLog.Exchanged(_logger, hash, _options.CurrentValue.Audience);
        }
        else
        {
            DelegationLog.ExchangeFailed(_logger, hash, result.Status, result.Error);
        }

        return result;
    }

    private async Task<ExchangeResult> ExchangeCoreAsync(string subjectToken, CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        if (!options.IsConfigured)
        {
            return new ExchangeResult(ExchangeStatus.NotConfigured, null, "TokenExchange:ClientId and TokenExchange:ClientSecret are not configured.");
        }

        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(subjectToken))) + "|" + options.Audience + "|" + options.Scope;
        var now = _timeProvider.GetUtcNow();
        if (_cache.TryGetValue(key, out var cached) && now < cached.RefreshAt)
        {
            return new ExchangeResult(ExchangeStatus.Issued, cached.Token, null);
        }

        try
        {
            var result = await _pipeline.ExecuteAsync(
                static (state, ct) => state.Client.SendAsync(state.Options, state.SubjectToken, state.Key, state.Now, ct),
                (Client: this, Options: options, SubjectToken: subjectToken, Key: key, Now: now),
                cancellationToken);
            return result;
        }
        catch (BrokenCircuitException ex)
        {
            return new ExchangeResult(ExchangeStatus.Unavailable, null, "The identity provider is unavailable (circuit open).")
            {
                RetryAfter = ex.RetryAfter is { } retry && retry > TimeSpan.Zero ? retry : options.BreakDuration,
            };
        }
        catch (TimeoutRejectedException)
        {
            return new ExchangeResult(ExchangeStatus.Unavailable, null, "The identity provider did not answer in time.");
        }
    }

    private async ValueTask<ExchangeResult> SendAsync(
        TokenExchangeOptions options, string subjectToken, string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _exchangeCount);
        try
        {
            var client = _httpClientFactory.CreateClient(HttpClientName);
            using var request = new HttpRequestMessage(HttpMethod.Post, _resolver.Resolve(options.TokenEndpoint));
            var credentials = Uri.EscapeDataString(options.ClientId!) + ":" + Uri.EscapeDataString(options.ClientSecret!);
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
            request.Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "urn:ietf:params:oauth:grant-type:token-exchange",
                ["subject_token"] = subjectToken,
                ["subject_token_type"] = "urn:ietf:params:oauth:token-type:access_token",
                ["audience"] = options.Audience,
                ["scope"] = options.Scope,
            });
            using var response = await client.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode >= HttpStatusCode.InternalServerError)
            {
                return new ExchangeResult(ExchangeStatus.Unavailable, null, "The identity provider is unavailable.");
            }

            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (!response.IsSuccessStatusCode)
            {
                var error = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
                return new ExchangeResult(ExchangeStatus.Refused, null, error ?? "exchange_refused");
            }

            var token = root.TryGetProperty("access_token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            var expiresIn = root.TryGetProperty("expires_in", out var x) && x.TryGetInt32(out var seconds) ? seconds : 0;
            if (string.IsNullOrEmpty(token) || expiresIn <= 0)
            {
                return new ExchangeResult(ExchangeStatus.Unavailable, null, "The identity provider's response has no usable token.");
            }

            var refreshAt = now.AddSeconds(expiresIn) - ExpiryMargin;
            if (refreshAt > now)
            {
                if (_cache.Count >= MaxCacheEntries)
                {
                    _cache.Clear();
                }

                _cache[key] = (token, refreshAt);
            }

            return new ExchangeResult(ExchangeStatus.Issued, token, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or InvalidOperationException
            || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new ExchangeResult(ExchangeStatus.Unavailable, null, "The identity provider is unreachable.");
        }
    }
}
