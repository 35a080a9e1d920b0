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

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
