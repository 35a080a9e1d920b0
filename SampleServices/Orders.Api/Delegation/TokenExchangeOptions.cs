using Microsoft.Extensions.Options;

namespace Reference.Orders.Api.Delegation;

/// <summary>How Orders.Api exchanges the token it received for an Inventory.Api token (section <c>TokenExchange</c>).</summary>
internal sealed class TokenExchangeOptions
{
    public const string SectionName = "TokenExchange";

    /// <summary>The IdP's token endpoint (<c>TokenExchange:TokenEndpoint</c>), resolved by service discovery.</summary>
    public Uri TokenEndpoint { get; set; } = new("http://identity/connect/token");

    /// <summary>Orders.Api's own client id at the IdP (<c>TokenExchange:ClientId</c>, e.g. <c>orders-service</c>).</summary>
    public string? ClientId { get; set; }

    /// <summary>Its secret (<c>TokenExchange:ClientSecret</c>), sent with client_secret_basic; never logged.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The requested audience (<c>TokenExchange:Audience</c>); default <c>inventory-api</c>.</summary>
    public string Audience { get; set; } = "inventory-api";

    /// <summary>The requested scope (<c>TokenExchange:Scope</c>); default <c>inventory.read</c>.</summary>
    public string Scope { get; set; } = "inventory.read";

    /// <summary>Where Inventory.Api is (<c>TokenExchange:InventoryBaseAddress</c>), resolved by service discovery.</summary>
    public Uri InventoryBaseAddress { get; set; } = new("http://inventory");

    /// <summary>Timeout of one exchange call (<c>TokenExchange:Timeout</c>), default 2 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Breaker: share of failed calls that opens it (<c>TokenExchange:BreakerFailureRatio</c>), default 0.5.</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Breaker: calls needed in the sampling window before it may open (<c>TokenExchange:BreakerMinimumThroughput</c>), default 5.</summary>
    public int BreakerMinimumThroughput { get; set; } = 5;

    /// <summary>Breaker: the sampling window (<c>TokenExchange:BreakerSamplingDuration</c>), default 30 s.</summary>
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Breaker: how long it stays open before a probe (<c>TokenExchange:BreakDuration</c>), default 30 s.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    public bool IsConfigured => !string.IsNullOrEmpty(ClientId) && !string.IsNullOrEmpty(ClientSecret);
}

/// <summary>Checks the exchange timeout and breaker settings; each message names its key.</summary>
internal sealed class TokenExchangeOptionsValidator : IValidateOptions<TokenExchangeOptions>
{
    private const string Prefix = TokenExchangeOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, TokenExchangeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Timeout < TimeSpan.FromMilliseconds(10) || options.Timeout > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{Prefix}Timeout must be between 00:00:00.010 and 00:01:00; got {options.Timeout}.");
        }

        if (options.BreakerFailureRatio is <= 0 or > 1)
        {
            failures.Add($"{Prefix}BreakerFailureRatio must be greater than 0 and at most 1; got {options.BreakerFailureRatio}.");
        }

        if (options.BreakerMinimumThroughput < 2)
        {
            failures.Add($"{Prefix}BreakerMinimumThroughput must be at least 2; got {options.BreakerMinimumThroughput}.");
        }

        if (options.BreakerSamplingDuration < TimeSpan.FromMilliseconds(500) || options.BreakerSamplingDuration > TimeSpan.FromDays(1))
        {
            failures.Add($"{Prefix}BreakerSamplingDuration must be between 00:00:00.500 and 1.00:00:00; got {options.BreakerSamplingDuration}.");
        }

        if (options.BreakDuration < TimeSpan.FromMilliseconds(500) || options.BreakDuration > TimeSpan.FromDays(1))
        {
            failures.Add($"{Prefix}BreakDuration must be between 00:00:00.500 and 1.00:00:00; got {options.BreakDuration}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
