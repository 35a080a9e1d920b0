using Microsoft.Extensions.Options;
using Reference.ServiceDefaults.ServiceDiscovery;

namespace Reference.Gateway.Authentication.Jwt;

/// <summary>
/// How the gateway validates access tokens at the public edge (section <c>Gateway:Authentication:Jwt</c>).
/// Trusted issuers are listed under <c>Issuers:{name}</c>, each with its own JWKS, audiences, pinned algorithms and
/// clock skew. The single-issuer keys at the section root (<c>Issuer</c>, <c>MetadataAddress</c>, <c>Audience</c>,
/// <c>ValidAlgorithms</c>) remain supported: when <c>Issuers</c> is empty they describe one issuer named
/// <c>default</c>.
/// </summary>
internal sealed class JwtValidationOptions
{
    public const string SectionName = "Gateway:Authentication:Jwt";

    public const string DefaultIssuerName = "default";

    public static readonly IReadOnlyList<string> DefaultAlgorithms = ["RS256", "ES256"];

    /// <summary>Asymmetric JWS algorithms the gateway can be configured to accept. HMAC and <c>none</c> never.</summary>
    public static readonly IReadOnlySet<string> SupportedAlgorithms = new HashSet<string>(StringComparer.Ordinal)
    {
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
    };

    /// <summary>The trusted issuers by name. Empty: the single-issuer keys below describe issuer <c>default</c>.</summary>
    public IDictionary<string, JwtIssuerOptions> Issuers { get; } = new Dictionary<string, JwtIssuerOptions>(StringComparer.Ordinal);

    /// <summary>Single-issuer form: the issuer, matched exactly (ordinal) against <c>iss</c> and the discovery document.</summary>
    public string? Issuer { get; set; }

    /// <summary>Single-issuer form: the discovery document; a logical host (<c>http://identity</c>) goes through service discovery.</summary>
    public Uri MetadataAddress { get; set; } = new("http://identity/.well-known/openid-configuration");

    /// <summary>Single-issuer form: the audience the gateway requires in <c>aud</c>.</summary>
    public string Audience { get; set; } = "reference-api";

    /// <summary>Single-issuer form: accepted <c>alg</c> values (default RS256 and ES256).</summary>
    public IList<string> ValidAlgorithms { get; } = [];

    /// <summary>The default clock skew of every issuer.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest accepted token, in characters, checked before anything is parsed.</summary>
    public int MaxTokenLength { get; set; } = 8192;

    /// <summary>How long fetched keys are good when the JWKS response has no <c>Cache-Control: max-age</c>.</summary>
    public TimeSpan JwksCacheDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The lower bound applied to a JWKS response's <c>max-age</c>.</summary>
    public TimeSpan JwksMinCacheDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The upper bound applied to a JWKS response's <c>max-age</c>.</summary>
    public TimeSpan JwksMaxCacheDuration { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The least time between two refreshes caused by an unknown <c>kid</c>; also the retry delay after a failed refresh.</summary>
    public TimeSpan UnknownKeyRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long keys may be used past their cache lifetime while refreshes fail; after that, tokens are rejected.</summary>
    public TimeSpan MaxStaleAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How many validated tokens are remembered (by SHA-256), so a repeated token skips signature verification.
    /// 0 disables the cache. Each entry is a few hundred bytes.
    /// </summary>
    public int ValidatedTokenCacheSize { get; set; } = 10_000;

    /// <summary>How long one discovery + JWKS fetch may take.</summary>
    public TimeSpan JwksFetchTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The union of every issuer's algorithms: anything else is rejected before the issuer is even looked at.</summary>
    /// Computed after binding.
    internal IReadOnlySet<string> AcceptedAlgorithms { get; set; } = new HashSet<string>(StringComparer.Ordinal);
}

/// <summary>One trusted issuer (<c>Gateway:Authentication:Jwt:Issuers:{name}</c>).</summary>
internal sealed class JwtIssuerOptions
{
    /// <summary>The <c>iss</c> value, matched exactly (ordinal).</summary>
    public string? Issuer { get; set; }

    /// <summary>The issuer's JWKS, fetched directly (no discovery). Exactly one of this and <see cref="MetadataAddress"/>.</summary>
    public Uri? JwksUri { get; set; }

    /// <summary>The issuer's OIDC discovery document; its <c>issuer</c> must equal <see cref="Issuer"/>.</summary>
    public Uri? MetadataAddress { get; set; }

    /// <summary>Accepted <c>aud</c> values; a token must carry at least one.</summary>
    public IList<string> Audiences { get; } = [];

    /// <summary>The algorithms pinned for this issuer (default RS256 and ES256).</summary>
    public IList<string> Algorithms { get; } = [];

    /// <summary>This issuer's clock skew; default the section's <c>ClockSkew</c>.</summary>
    public TimeSpan? ClockSkew { get; set; }

    /// <summary>The configuration path of this issuer's keys, for validation messages (not bound).</summary>
    internal string ConfigurationPath { get; set; } = JwtValidationOptions.SectionName;

    /// <summary>True when synthesized from the single-issuer keys (validation messages then name those keys).</summary>
    internal bool IsLegacy { get; set; }
}

internal sealed class JwtValidationOptionsPostConfigure : IPostConfigureOptions<JwtValidationOptions>
{
    public void PostConfigure(string? name, JwtValidationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ValidAlgorithms.Count == 0)
        {
            foreach (var algorithm in JwtValidationOptions.DefaultAlgorithms)
            {
                options.ValidAlgorithms.Add(algorithm);
            }
        }

        if (options.Issuers.Count == 0 && !string.IsNullOrWhiteSpace(options.Issuer))
        {
            var legacy = new JwtIssuerOptions
            {
                Issuer = options.Issuer,
                MetadataAddress = options.MetadataAddress,
                ConfigurationPath = JwtValidationOptions.SectionName,
                IsLegacy = true,
            };
            legacy.Audiences.Add(options.Audience);
            foreach (var algorithm in options.ValidAlgorithms)
            {
                legacy.Algorithms.Add(algorithm);
            }

            options.Issuers[JwtValidationOptions.DefaultIssuerName] = legacy;
        }

        foreach (var (issuerName, issuer) in options.Issuers)
        {
            if (!issuer.IsLegacy)
            {
                issuer.ConfigurationPath = $"{JwtValidationOptions.SectionName}:Issuers:{issuerName}";
            }

            if (issuer.Algorithms.Count == 0)
            {
                foreach (var algorithm in JwtValidationOptions.DefaultAlgorithms)
                {
                    issuer.Algorithms.Add(algorithm);
                }
            }

            issuer.ClockSkew ??= options.ClockSkew;
        }

        options.AcceptedAlgorithms = options.Issuers.Values.SelectMany(i => i.Algorithms).ToHashSet(StringComparer.Ordinal);
    }
}

internal sealed class JwtValidationOptionsValidator(ServiceEndpointResolver serviceEndpoints) : IValidateOptions<JwtValidationOptions>
{
    private const string Prefix = JwtValidationOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, JwtValidationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        if (options.Issuers.Count == 0)
        {
            failures.Add(
                $"{Prefix}Issuer is required (the IdentityProvider's issuer URL, matched exactly), " +
                $"or list issuers under {Prefix}Issuers:{{name}}.");
        }

        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (issuerName, issuer) in options.Issuers)
        {
            ValidateIssuer(issuerName, issuer, failures);
            if (issuer.Issuer is { } iss && !seen.TryAdd(iss, issuerName))
            {
                failures.Add($"{issuer.ConfigurationPath}:Issuer '{iss}' is also configured as issuer '{seen[iss]}'; each issuer has one key set.");
            }
        }

        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{Prefix}ClockSkew must be between 00:00:00 and 00:05:00.");
        }

        if (options.MaxTokenLength is < 256 or > 65536)
        {
            failures.Add($"{Prefix}MaxTokenLength must be between 256 and 65536.");
        }

        if (options.ValidatedTokenCacheSize is < 0 or > 1_000_000)
        {
            failures.Add($"{Prefix}ValidatedTokenCacheSize must be between 0 and 1000000.");
        }

        CheckRange(failures, "JwksCacheDuration", options.JwksCacheDuration, TimeSpan.FromSeconds(30), TimeSpan.FromDays(1));
        CheckRange(failures, "JwksMinCacheDuration", options.JwksMinCacheDuration, TimeSpan.FromSeconds(30), TimeSpan.FromDays(1));
        CheckRange(failures, "JwksMaxCacheDuration", options.JwksMaxCacheDuration, TimeSpan.FromSeconds(30), TimeSpan.FromDays(7));
        if (options.JwksMinCacheDuration > options.JwksMaxCacheDuration)
        {
            failures.Add($"{Prefix}JwksMinCacheDuration must not exceed {Prefix}JwksMaxCacheDuration.");
        }

        CheckRange(failures, "UnknownKeyRefreshInterval", options.UnknownKeyRefreshInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        CheckRange(failures, "MaxStaleAge", options.MaxStaleAge, TimeSpan.Zero, TimeSpan.FromDays(1));
        CheckRange(failures, "JwksFetchTimeout", options.JwksFetchTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1));

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void ValidateIssuer(string issuerName, JwtIssuerOptions issuer, List<string> failures)
    {
        var path = issuer.ConfigurationPath + ":";
        if (string.IsNullOrWhiteSpace(issuer.Issuer))
        {
            failures.Add($"{path}Issuer is required (the issuer URL, matched exactly).");
        }
        else if (!Uri.TryCreate(issuer.Issuer, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            failures.Add($"{path}Issuer must be an absolute http(s) URL; got '{issuer.Issuer}'.");
        }

        if (issuer.JwksUri is not null && issuer.MetadataAddress is not null)
        {
            failures.Add($"{path}JwksUri and {path}MetadataAddress are both set for issuer '{issuerName}'; set exactly one.");
        }

        var source = issuer.JwksUri ?? issuer.MetadataAddress;
        var sourceKey = issuer.JwksUri is not null ? "JwksUri" : "MetadataAddress";
        if (source is null)
        {
            failures.Add($"{path}JwksUri or {path}MetadataAddress is required for issuer '{issuerName}'.");
        }
        else if (!source.IsAbsoluteUri || source.Scheme is not ("http" or "https"))
        {
            failures.Add($"{path}{sourceKey} must be an absolute http(s) URL.");
        }
        else if (ServiceEndpointResolver.IsLogicalName(source) && serviceEndpoints.GetEndpoints(source.Host, source.Scheme).Count == 0)
        {
            failures.Add(
                $"{path}{sourceKey} '{source}' names service '{source.Host}', which has no '{source.Scheme}' endpoint: " +
                $"set configuration key 'services:{source.Host}:{source.Scheme}:0' (environment variable 'services__{source.Host}__{source.Scheme}__0').");
        }

        var audienceKey = issuer.IsLegacy ? "Audience" : "Audiences";
        if (issuer.Audiences.Count == 0 || issuer.Audiences.Any(string.IsNullOrWhiteSpace))
        {
            failures.Add($"{path}{audienceKey} is required.");
        }

        var algorithmKey = issuer.IsLegacy ? "ValidAlgorithms" : "Algorithms";
        for (var i = 0; i < issuer.Algorithms.Count; i++)
        {
            if (!JwtValidationOptions.SupportedAlgorithms.Contains(issuer.Algorithms[i]))
            {
                failures.Add(
                    $"{path}{algorithmKey}:{i} '{issuer.Algorithms[i]}' is not an accepted asymmetric JWS algorithm " +
                    $"({string.Join(", ", JwtValidationOptions.SupportedAlgorithms.Order(StringComparer.Ordinal))}).");
            }
        }

        if (!issuer.IsLegacy && issuer.ClockSkew is { } skew && (skew < TimeSpan.Zero || skew > TimeSpan.FromMinutes(5)))
        {
            failures.Add($"{path}ClockSkew must be between 00:00:00 and 00:05:00.");
        }
    }

    private static void CheckRange(List<string> failures, string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{Prefix}{key} must be between {min:c} and {max:c}.");
        }
    }
}
