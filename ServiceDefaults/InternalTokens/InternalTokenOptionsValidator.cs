using Microsoft.Extensions.Options;

namespace Reference.ServiceDefaults.InternalTokens;

internal sealed class InternalTokenOptionsValidator : IValidateOptions<InternalTokenOptions>
{
    private const string Section = InternalTokenOptions.SectionName;
    private static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    public ValidateOptionsResult Validate(string? name, InternalTokenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Issuer))
        {
            failures.Add($"{Section}:Issuer is required.");
        }

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            failures.Add($"{Section}:Audience is required (this service's identifier, e.g. 'orders-api').");
        }

        if (options.JwksUri is null
            || !options.JwksUri.IsAbsoluteUri
            || (options.JwksUri.Scheme != Uri.UriSchemeHttp && options.JwksUri.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{Section}:JwksUri must be an absolute http(s) URL.");
        }

        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > MaxClockSkew)
        {
            failures.Add($"{Section}:ClockSkew must be between 00:00:00 and 00:05:00.");
        }

        if (options.JwksRefreshInterval < InternalTokenKeyCache.UnknownKeyRefreshInterval)
        {
            failures.Add($"{Section}:JwksRefreshInterval must be at least 00:00:30.");
        }

        if (options.MaxTokenLength is < 256 or > 65536)
        {
            failures.Add($"{Section}:MaxTokenLength must be between 256 and 65536.");
        }

        if (options.ValidatedTokenCacheSize is < 0 or > 1_000_000)
        {
            failures.Add($"{Section}:ValidatedTokenCacheSize must be between 0 and 1000000.");
        }

        foreach (var (issuerName, issuer) in options.TrustedIssuers)
        {
            var key = $"{Section}:TrustedIssuers:{issuerName}";
            if (string.IsNullOrWhiteSpace(issuer.Issuer) && issuer.MetadataAddress is null)
            {
                failures.Add($"{key}:Issuer (or {key}:MetadataAddress) is required.");
            }

            if (string.Equals(issuer.Issuer, options.Issuer, StringComparison.Ordinal))
            {
                failures.Add($"{key}:Issuer must differ from {Section}:Issuer (the gateway).");
            }

            if (issuer.JwksUri is null && issuer.MetadataAddress is null)
            {
                failures.Add($"{key}:JwksUri (or {key}:MetadataAddress) is required.");
            }

            if (!IsHttpUrl(issuer.JwksUri) || !IsHttpUrl(issuer.MetadataAddress))
            {
                failures.Add($"{key}:JwksUri and {key}:MetadataAddress must be absolute http(s) URLs.");
            }

            if (issuer.Algorithms.Any(a => !TrustedIssuer.SupportedAlgorithms.Contains(a)))
            {
                failures.Add($"{key}:Algorithms may only contain RS256, PS256 and ES256.");
            }

            if (string.IsNullOrWhiteSpace(issuer.TokenType) || issuer.TokenType == InternalTokenDefaults.TokenType)
            {
                failures.Add($"{key}:TokenType is required and must not be '{InternalTokenDefaults.TokenType}' (reserved for the gateway).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsHttpUrl(Uri? uri) =>
        uri is null || (uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps));
}
