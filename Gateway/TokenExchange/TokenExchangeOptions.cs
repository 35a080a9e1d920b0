using Microsoft.Extensions.Options;

namespace Reference.Gateway.TokenExchange;

/// <summary>RFC 8693 token exchange at the IdP for routes in <c>exchange</c> mode (section <c>Gateway:TokenExchange</c>).</summary>
internal sealed class TokenExchangeOptions
{
    public const string SectionName = "Gateway:TokenExchange";

    /// <summary>The IdP's discovery document; its <c>token_endpoint</c> is used.</summary>
    public Uri MetadataAddress { get; set; } = new("http://identity/.well-known/openid-configuration");

    /// <summary>The gateway's confidential client (authenticates with client_secret_basic).</summary>
    public string ClientId { get; set; } = "gateway";

    /// <summary>Its secret; required as soon as a route uses <c>exchange</c> mode (checked at configuration load).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Timeout of one exchange call.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Exchanged tokens are reused until this long before they expire.</summary>
    public TimeSpan RenewBeforeExpiry { get; set; } = TimeSpan.FromSeconds(30);

    public int MaxCacheEntries { get; set; } = 10_000;

    public double BreakerFailureRatio { get; set; } = 0.5;

    public int BreakerMinimumThroughput { get; set; } = 5;

    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}

internal sealed class TokenExchangeOptionsValidator : IValidateOptions<TokenExchangeOptions>
{
    private const string Prefix = TokenExchangeOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, TokenExchangeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.MetadataAddress is null || !options.MetadataAddress.IsAbsoluteUri || options.MetadataAddress.Scheme is not ("http" or "https"))
        {
            failures.Add($"{Prefix}MetadataAddress must be an absolute http(s) URI.");
        }

        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            failures.Add($"{Prefix}ClientId is required.");
        }

        if (options.Timeout < TimeSpan.FromMilliseconds(10) || options.Timeout > TimeSpan.FromSeconds(30))
        {
            failures.Add($"{Prefix}Timeout must be between 00:00:00.010 and 00:00:30; got {options.Timeout}.");
        }

        if (options.RenewBeforeExpiry < TimeSpan.Zero || options.RenewBeforeExpiry > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{Prefix}RenewBeforeExpiry must be between 00:00:00 and 00:05:00; got {options.RenewBeforeExpiry}.");
        }

        if (options.MaxCacheEntries is < 1 or > 1_000_000)
        {
            failures.Add($"{Prefix}MaxCacheEntries must be between 1 and 1000000; got {options.MaxCacheEntries}.");
        }

        if (options.BreakerFailureRatio is <= 0 or > 1)
        {
            failures.Add($"{Prefix}BreakerFailureRatio must be in (0, 1]; got {options.BreakerFailureRatio}.");
        }

        if (options.BreakerMinimumThroughput < 2)
        {
            failures.Add($"{Prefix}BreakerMinimumThroughput must be at least 2; got {options.BreakerMinimumThroughput}.");
        }

        if (options.BreakerSamplingDuration < TimeSpan.FromSeconds(1) || options.BreakDuration < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{Prefix}BreakerSamplingDuration and {Prefix}BreakDuration must be at least 00:00:01.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
