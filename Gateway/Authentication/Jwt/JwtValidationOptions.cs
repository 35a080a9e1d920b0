using Microsoft.Extensions.Options;
using Reference.ServiceDefaults.ServiceDiscovery;

namespace Reference.Gateway.Authentication.Jwt;

/// <summary>How the gateway validates access tokens at the public edge (section <c>Gateway:Authentication:Jwt</c>).</summary>
internal sealed class JwtValidationOptions
{
    public const string SectionName = "Gateway:Authentication:Jwt";

    public static readonly IReadOnlyList<string> DefaultAlgorithms = ["RS256", "ES256"];

    /// <summary>Asymmetric JWS algorithms the gateway can be configured to accept. HMAC and <c>none</c> never.</summary>
    public static readonly IReadOnlySet<string> SupportedAlgorithms = new HashSet<string>(StringComparer.Ordinal)
    {
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
    };

    /// <summary>The issuer, matched exactly (ordinal) against the token's <c>iss</c> and the discovery document's <c>issuer</c>.</summary>
    public string? Issuer { get; set; }

    /// <summary>The issuer's OIDC discovery document; a logical host (<c>http://identity</c>) goes through service discovery.</summary>
    public Uri MetadataAddress { get; set; } = new("http://identity/.well-known/openid-configuration");

    /// <summary>The audience the gateway requires in <c>aud</c>.</summary>
    public string Audience { get; set; } = "reference-api";

    /// <summary>Accepted <c>alg</c> values (default RS256 and ES256). Bound lists append, so the default is applied after binding.</summary>
    public IList<string> ValidAlgorithms { get; } = [];

    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest accepted token, in characters, checked before anything is parsed.</summary>
    public int MaxTokenLength { get; set; } = 8192;

    /// <summary>How long fetched keys are used before a refresh is due.</summary>
    public TimeSpan JwksCacheDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The least time between two refreshes caused by an unknown <c>kid</c> (or a failed refresh).</summary>
    public TimeSpan UnknownKeyRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);
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
    }
}

internal sealed class JwtValidationOptionsValidator(ServiceEndpointResolver serviceEndpoints) : IValidateOptions<JwtValidationOptions>
{
    private const string Prefix = JwtValidationOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, JwtValidationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        if (string.IsNullOrWhiteSpace(options.Issuer))
        {
            failures.Add($"{Prefix}Issuer is required (the IdentityProvider's issuer URL, matched exactly).");
        }
        else if (!Uri.TryCreate(options.Issuer, UriKind.Absolute, out var issuer) || issuer.Scheme is not ("http" or "https"))
        {
            failures.Add($"{Prefix}Issuer must be an absolute http(s) URL; got '{options.Issuer}'.");
        }

        if (options.MetadataAddress is null || !options.MetadataAddress.IsAbsoluteUri
            || options.MetadataAddress.Scheme is not ("http" or "https"))
        {
            failures.Add($"{Prefix}MetadataAddress must be an absolute http(s) URL.");
        }
        else if (ServiceEndpointResolver.IsLogicalName(options.MetadataAddress)
                 && serviceEndpoints.GetEndpoints(options.MetadataAddress.Host, options.MetadataAddress.Scheme).Count == 0)
        {
            var service = options.MetadataAddress.Host;
            var endpoint = options.MetadataAddress.Scheme;
            failures.Add(
                $"{Prefix}MetadataAddress '{options.MetadataAddress}' names service '{service}', which has no '{endpoint}' endpoint: " +
                $"set configuration key 'services:{service}:{endpoint}:0' (environment variable 'services__{service}__{endpoint}__0').");
        }

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            failures.Add($"{Prefix}Audience is required.");
        }

        for (var i = 0; i < options.ValidAlgorithms.Count; i++)
        {
            if (!JwtValidationOptions.SupportedAlgorithms.Contains(options.ValidAlgorithms[i]))
            {
                failures.Add(
                    $"{Prefix}ValidAlgorithms:{i} '{options.ValidAlgorithms[i]}' is not an accepted asymmetric JWS algorithm " +
                    $"({string.Join(", ", JwtValidationOptions.SupportedAlgorithms.Order(StringComparer.Ordinal))}).");
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

        if (options.JwksCacheDuration < TimeSpan.FromSeconds(30) || options.JwksCacheDuration > TimeSpan.FromDays(1))
        {
            failures.Add($"{Prefix}JwksCacheDuration must be between 00:00:30 and 1.00:00:00.");
        }

        if (options.UnknownKeyRefreshInterval < TimeSpan.FromSeconds(1) || options.UnknownKeyRefreshInterval > TimeSpan.FromHours(1))
        {
            failures.Add($"{Prefix}UnknownKeyRefreshInterval must be between 00:00:01 and 01:00:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
