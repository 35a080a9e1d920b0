using Microsoft.Extensions.Options;
using Reference.ServiceDefaults.ServiceDiscovery;

namespace Reference.Gateway.Authentication.Introspection;

/// <summary>What the gateway does when the introspection endpoint is unavailable (breaker open, timeout, 5xx).</summary>
internal enum IntrospectionFallback
{
    /// <summary>Serve a cached positive result no older than <see cref="IntrospectionOptions.MaxCachedAge"/>, never past the token's <c>exp</c>; otherwise 503.</summary>
    UseCachedOrReject,

    /// <summary>Reject every token that is not freshly cached (503).</summary>
    RejectAll,
}

/// <summary>
/// RFC 7662 introspection of opaque (reference) tokens (section <c>Gateway:Introspection</c>). The gateway calls the
/// IdP as a confidential API resource with <c>client_secret_basic</c>. There is deliberately no pass-through mode:
/// an unverifiable token never reaches a service.
/// </summary>
internal sealed class IntrospectionOptions
{
    public const string SectionName = "Gateway:Introspection";

    /// <summary>The IdP's discovery document, used to find <c>introspection_endpoint</c> when <see cref="Endpoint"/> is not set.</summary>
    public Uri MetadataAddress { get; set; } = new("http://identity/.well-known/openid-configuration");

    /// <summary>The introspection endpoint; overrides discovery. A logical host goes through service discovery.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>The API resource's client id at the IdP.</summary>
    public string ClientId { get; set; } = "reference-api";

    /// <summary>The API resource's secret. Required; injected by the AppHost; never logged.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The audience the token's <c>aud</c> must contain.</summary>
    public string Audience { get; set; } = "reference-api";

    /// <summary>When set, a result's <c>iss</c>, if present, must equal it (ordinal); it is also the caller's issuer when absent.</summary>
    public string? Issuer { get; set; }

    /// <summary>Timeout of one call to the endpoint.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>0 or 1: at most one retry.</summary>
    public int MaxRetries { get; set; } = 1;

    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long an active result is trusted without asking again (capped by the token's <c>exp</c>).</summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an inactive result is remembered.</summary>
    public TimeSpan NegativeCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Bound on cached results; the least recently used are evicted first.</summary>
    public int MaxCacheEntries { get; set; } = 100_000;

    public IntrospectionFallback Fallback { get; set; } = IntrospectionFallback.UseCachedOrReject;

    /// <summary>With <see cref="IntrospectionFallback.UseCachedOrReject"/>: the oldest cached positive result served during an outage.</summary>
    public TimeSpan MaxCachedAge { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>Longest accepted token, checked before anything is sent anywhere.</summary>
    public int MaxTokenLength { get; set; } = 4096;

    /// <summary>Circuit breaker: failure ratio over <see cref="BreakerSamplingDuration"/> that opens the circuit.</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Circuit breaker: calls needed in the sampling window before it may open (design notes: 5 failures).</summary>
    public int BreakerMinimumThroughput { get; set; } = 5;

    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the circuit stays open before a half-open probe is let through.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}

internal sealed class IntrospectionOptionsValidator(ServiceEndpointResolver serviceEndpoints) : IValidateOptions<IntrospectionOptions>
{
    private const string Prefix = IntrospectionOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, IntrospectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        ValidateAddress(options.Endpoint ?? options.MetadataAddress, options.Endpoint is null ? "MetadataAddress" : "Endpoint", failures);

        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            failures.Add($"{Prefix}ClientId is required (the API resource's client id at the IdP).");
        }

        if (string.IsNullOrEmpty(options.ClientSecret))
        {
            failures.Add($"{Prefix}ClientSecret is required (injected by the AppHost as Gateway__Introspection__ClientSecret).");
        }

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            failures.Add($"{Prefix}Audience is required.");
        }

        Range(options.Timeout, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(30), "Timeout", failures);
        Range(options.RetryDelay, TimeSpan.Zero, TimeSpan.FromSeconds(5), "RetryDelay", failures);
        Range(options.CacheDuration, TimeSpan.Zero, TimeSpan.FromMinutes(10), "CacheDuration", failures);
        Range(options.NegativeCacheDuration, TimeSpan.Zero, TimeSpan.FromMinutes(5), "NegativeCacheDuration", failures);
        Range(options.MaxCachedAge, TimeSpan.Zero, TimeSpan.FromHours(1), "MaxCachedAge", failures);
        Range(options.BreakerSamplingDuration, TimeSpan.FromMilliseconds(500), TimeSpan.FromHours(1), "BreakerSamplingDuration", failures);
        Range(options.BreakDuration, TimeSpan.FromMilliseconds(500), TimeSpan.FromHours(1), "BreakDuration", failures);

        if (options.MaxRetries is < 0 or > 1)
        {
            failures.Add($"{Prefix}MaxRetries must be 0 or 1 (at most one retry).");
        }

        if (options.MaxCacheEntries is < 1 or > 10_000_000)
        {
            failures.Add($"{Prefix}MaxCacheEntries must be between 1 and 10000000.");
        }

        if (options.MaxTokenLength is < 16 or > 65536)
        {
            failures.Add($"{Prefix}MaxTokenLength must be between 16 and 65536.");
        }

        if (options.BreakerFailureRatio is <= 0 or > 1)
        {
            failures.Add($"{Prefix}BreakerFailureRatio must be greater than 0 and at most 1.");
        }

        if (options.BreakerMinimumThroughput < 2)
        {
            failures.Add($"{Prefix}BreakerMinimumThroughput must be at least 2.");
        }

        if (!Enum.IsDefined(options.Fallback))
        {
            failures.Add($"{Prefix}Fallback must be UseCachedOrReject or RejectAll.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void ValidateAddress(Uri? address, string key, List<string> failures)
    {
        if (address is null || !address.IsAbsoluteUri || address.Scheme is not ("http" or "https"))
        {
            failures.Add($"{Prefix}{key} must be an absolute http(s) URL.");
        }
        else if (ServiceEndpointResolver.IsLogicalName(address) && serviceEndpoints.GetEndpoints(address.Host, address.Scheme).Count == 0)
        {
            failures.Add(
                $"{Prefix}{key} '{address}' names service '{address.Host}', which has no '{address.Scheme}' endpoint: " +
                $"set configuration key 'services:{address.Host}:{address.Scheme}:0'.");
        }
    }

    private static void Range(TimeSpan value, TimeSpan min, TimeSpan max, string key, List<string> failures)
    {
        if (value < min || value > max)
        {
            failures.Add($"{Prefix}{key} must be between {min:c} and {max:c}.");
        }
    }
}
