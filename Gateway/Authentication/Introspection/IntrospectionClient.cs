using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Reference.Gateway.Authentication.Introspection;

/// <summary>
/// Calls the RFC 7662 endpoint as a confidential API resource (<c>client_secret_basic</c>) over a pooled HttpClient.
/// Each attempt has its own timeout (default 500 ms); at most one retry, 50 ms later; a circuit breaker around the
/// whole call stops hammering an endpoint that is down. Every way of not getting an answer surfaces as
/// <see cref="IntrospectionUnavailableException"/>; the scheme decides the fallback.
/// </summary>
internal sealed class IntrospectionClient
{
    public const string HttpClientName = "Reference.Gateway.Introspection";


    private readonly IHttpClientFactory _httpClientFactory;
    private readonly IntrospectionOptions _options;
    private readonly IntrospectionTelemetry _telemetry;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<IntrospectionClient> _logger;
    private readonly ResiliencePipeline _breaker;
    private readonly ResiliencePipeline _attempts;
    private readonly AuthenticationHeaderValue _authorization;
    private Uri? _endpoint;

    public IntrospectionClient(
        IHttpClientFactory httpClientFactory,
        IOptions<IntrospectionOptions> options,
        IntrospectionTelemetry telemetry,
        TimeProvider timeProvider,
        ILogger<IntrospectionClient> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _httpClientFactory = httpClientFactory;
        _options = options.Value;
        _telemetry = telemetry;
        _timeProvider = timeProvider;
        _logger = logger;
        _endpoint = _options.Endpoint;

        // RFC 6749 §2.3.1: client id and secret are form-urlencoded before the Basic encoding.
        var credentials = $"{Uri.EscapeDataString(_options.ClientId)}:{Uri.EscapeDataString(_options.ClientSecret ?? string.Empty)}";
        _authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));

        var unavailable = new PredicateBuilder()
            .Handle<IntrospectionUnavailableException>()
            .Handle<TimeoutRejectedException>()
            .Handle<HttpRequestException>();

        // The breaker counts logical calls (a call and its retry are one outcome) and measures its break on the
        // injected clock; attempts and their timeouts run on real time.
        _breaker = new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = _options.BreakerFailureRatio,
                MinimumThroughput = _options.BreakerMinimumThroughput,
                SamplingDuration = _options.BreakerSamplingDuration,
                BreakDuration = _options.BreakDuration,
                ShouldHandle = unavailable,
                StateProvider = telemetry.BreakerState,
                OnOpened = args =>
                {
                    IntrospectionLog.BreakerOpened(_logger, args.BreakDuration.TotalSeconds);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    IntrospectionLog.BreakerClosed(_logger);
                    return ValueTask.CompletedTask;
                },
                OnHalfOpened = _ =>
                {
                    IntrospectionLog.BreakerHalfOpen(_logger);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

        var attempts = new ResiliencePipelineBuilder();
        if (_options.MaxRetries > 0)
        {
            attempts.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = _options.MaxRetries,
                Delay = _options.RetryDelay,
                BackoffType = DelayBackoffType.Constant,
                UseJitter = false,
                ShouldHandle = unavailable,
            });
        }

        _attempts = attempts.AddTimeout(_options.Timeout).Build();
    }

    /// <summary>Introspects the token. Throws <see cref="IntrospectionUnavailableException"/> when no answer could be had.</summary>
    public async Task<IntrospectionResult> IntrospectAsync(string token, string tokenHash, CancellationToken cancellationToken)
    {
        try
        {
            var result = await _breaker.ExecuteAsync(
                static (state, ct) => state.Client._attempts.ExecuteAsync(
                    static (s, innerCt) => s.Client.SendOnceAsync(s.Token, s.TokenHash, innerCt), state, ct),
                (Client: this, Token: token, TokenHash: tokenHash),
                cancellationToken);
            _telemetry.RecordRequest(result.IsActive ? "active" : "inactive");
            return result;
        }
        catch (BrokenCircuitException ex)
        {
            _telemetry.RecordRequest("circuit_open");
            throw new IntrospectionUnavailableException("The introspection circuit is open.", ex);
        }
        catch (Exception ex) when (ex is TimeoutRejectedException or HttpRequestException
                                   || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            _telemetry.RecordRequest("unavailable");
            throw new IntrospectionUnavailableException(ex is TimeoutRejectedException ? "The introspection call timed out." : "The introspection call failed.", ex);
        }
        catch (IntrospectionUnavailableException)
        {
            _telemetry.RecordRequest("unavailable");
            throw;
        }
    }

    private async ValueTask<IntrospectionResult> SendOnceAsync(string token, string tokenHash, CancellationToken cancellationToken)
    {
        var client = _httpClientFactory.CreateClient(HttpClientName);
        var endpoint = _endpoint ?? await DiscoverEndpointAsync(client, cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new FormUrlEncodedContent([new("token", token), new("token_type_hint", "access_token")]),
        };
        request.Headers.Authorization = _authorization;
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            IntrospectionLog.ClientRejected(_logger, (int)response.StatusCode);
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new IntrospectionUnavailableException($"The introspection endpoint answered HTTP {(int)response.StatusCode}.");
        }

        var body = await ReadBoundedAsync(response, cancellationToken);
        return IntrospectionResponseParser.Parse(body, _options, _timeProvider.GetUtcNow(), tokenHash, token);
    }

    private async Task<Uri> DiscoverEndpointAsync(HttpClient client, CancellationToken cancellationToken)
    {
        var (endpoint, problem) = await IdentityProviderHttp.DiscoverEndpointAsync(client, _options.MetadataAddress, "introspection_endpoint", cancellationToken);
        _endpoint = endpoint ?? throw new IntrospectionUnavailableException(problem!);
        return endpoint;
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        await IdentityProviderHttp.ReadBoundedAsync(response, cancellationToken)
            ?? throw new IntrospectionUnavailableException("The response is too large.");
}
