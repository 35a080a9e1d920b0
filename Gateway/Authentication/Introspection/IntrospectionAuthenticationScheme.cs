using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Reference.Gateway.Authentication.Introspection;

/// <summary>
/// The <c>introspection</c> scheme: an opaque bearer token is checked with the IdP (RFC 7662), through the hashed
/// result cache. Concurrent requests with the same uncached token share one call. When the endpoint is unavailable
/// the configured <see cref="IntrospectionFallback"/> applies; otherwise 503 <c>temporarily_unavailable</c>: a token
/// that cannot be checked is never let through.
/// </summary>
internal sealed class IntrospectionAuthenticationScheme : IGatewayAuthenticationScheme
{
    public const string SchemeName = "introspection";

    private readonly ConcurrentDictionary<string, Task<IntrospectionResult>> _inFlight = new(StringComparer.Ordinal);
    private readonly IntrospectionClient _client;
    private readonly IntrospectionCache _cache;
    private readonly IntrospectionTelemetry _telemetry;
    private readonly IntrospectionOptions _options;
    private readonly ILogger<IntrospectionAuthenticationScheme> _logger;

    public IntrospectionAuthenticationScheme(
        IntrospectionClient client,
        IntrospectionCache cache,
        IntrospectionTelemetry telemetry,
        IOptions<IntrospectionOptions> options,
        ILogger<IntrospectionAuthenticationScheme> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _cache = cache;
        _telemetry = telemetry;
        _options = options.Value;
        _logger = logger;
    }

    public string Name => SchemeName;

    public bool CanHandle(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return BearerCredential.Read(context.Request).Status == BearerCredentialStatus.Present;
    }

    public async ValueTask<SchemeAuthenticationResult> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var credential = BearerCredential.Read(context.Request);
        if (credential.Status != BearerCredentialStatus.Present)
        {
            return SchemeAuthenticationResult.Failure(
                StatusCodes.Status401Unauthorized, AuthenticationErrors.InvalidToken, "The request has no bearer token.", AuthenticationErrors.MissingToken);
        }

        var token = credential.Token!;
        if (token.Length > _options.MaxTokenLength)
        {
            return SchemeAuthenticationResult.Failure(
                StatusCodes.Status401Unauthorized, AuthenticationErrors.InvalidToken, "The access token is too long.", "token_too_long");
        }

        var key = CacheKey(token);
        var tokenHash = key[..12];
        var result = _cache.GetFresh(key);
        if (result is not null)
        {
            _telemetry.RecordCacheLookup("hit");
        }
        else
        {
            _telemetry.RecordCacheLookup("miss");
            try
            {
                result = await IntrospectSharedAsync(key, token, tokenHash).WaitAsync(cancellationToken);
            }
            catch (IntrospectionUnavailableException ex)
            {
                IntrospectionLog.Unavailable(_logger, tokenHash, ex.Message);
                if (_options.Fallback == IntrospectionFallback.UseCachedOrReject && _cache.GetForFallback(key) is var (cached, age))
                {
                    _telemetry.RecordCacheLookup("stale_hit");
                    IntrospectionLog.ServedStale(_logger, tokenHash, age.TotalSeconds);
                    result = cached;
                }
                else
                {
                    return SchemeAuthenticationResult.Failure(
                        StatusCodes.Status503ServiceUnavailable,
                        "temporarily_unavailable",
                        "The token cannot be verified right now; try again later.",
                        "introspection_unavailable");
                }
            }
        }

        if (result.Caller is { } caller)
        {
            return SchemeAuthenticationResult.Success(caller);
        }

        return SchemeAuthenticationResult.Failure(
            StatusCodes.Status401Unauthorized,
            AuthenticationErrors.InvalidToken,
            "The access token is not active.",
            result.RejectionReason ?? IntrospectionResponseParser.ReasonInactive);
    }

    /// <summary>One call per token at a time; its outcome is cached before the waiters see it.</summary>
    private Task<IntrospectionResult> IntrospectSharedAsync(string key, string token, string tokenHash)
    {
        var completion = new TaskCompletionSource<IntrospectionResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var shared = _inFlight.GetOrAdd(key, completion.Task);
        if (shared != completion.Task)
        {
            return shared;
        }

        _ = RunAsync();
        return completion.Task;

        async Task RunAsync()
        {
            // Removed from the in-flight table before completing, so no later request picks up a finished call
            // instead of consulting the cache.
            try
            {
                // Not the request's token: a caller that gives up must not fail the others waiting on this call;
                // the timeouts bound it.
                var result = await _client.IntrospectAsync(token, tokenHash, CancellationToken.None);
                _cache.Set(key, result);
                IntrospectionLog.Introspected(_logger, tokenHash, result.IsActive ? "active" : result.RejectionReason ?? "inactive");
                _inFlight.TryRemove(new KeyValuePair<string, Task<IntrospectionResult>>(key, completion.Task));
                completion.SetResult(result);
            }
            catch (Exception ex)
            {
                _inFlight.TryRemove(new KeyValuePair<string, Task<IntrospectionResult>>(key, completion.Task));
                completion.SetException(ex);
            }
        }
    }

    internal static string CacheKey(string token)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(token), hash);
        return Convert.ToHexStringLower(hash);
    }
}
