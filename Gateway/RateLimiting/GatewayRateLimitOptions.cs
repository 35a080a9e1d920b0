using Microsoft.Extensions.Options;
using Reference.ServiceDefaults.RateLimiting;

namespace Reference.Gateway.RateLimiting;

/// <summary>
/// Limits on token-validated traffic (section <c>Gateway:RateLimiting</c>), applied after authentication to every
/// authenticated request: one global budget across all gateway instances, one per client (<c>client_id</c>, or the
/// subject when the credential names no client) and one per tenant. Anonymous routes are not limited here.
/// </summary>
internal sealed class GatewayRateLimitOptions
{
    public const string SectionName = "Gateway:RateLimiting";

    /// <summary>All authenticated traffic, across every gateway instance: 10,000/s, burst 500.</summary>
    public RateLimitRule Global { get; set; } = RateLimitRule.Create(10_000, TimeSpan.FromSeconds(1), 500);

    /// <summary>Per client: 1,000/s, burst 200.</summary>
    public RateLimitRule PerClient { get; set; } = RateLimitRule.Create(1_000, TimeSpan.FromSeconds(1), 200);

    /// <summary>Per tenant: 5,000/s, burst 500.</summary>
    public RateLimitRule PerTenant { get; set; } = RateLimitRule.Create(5_000, TimeSpan.FromSeconds(1), 500);
}

internal sealed class GatewayRateLimitOptionsValidator : IValidateOptions<GatewayRateLimitOptions>
{
    private const string Section = GatewayRateLimitOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, GatewayRateLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        options.Global.Validate($"{Section}:{nameof(options.Global)}", failures);
        options.PerClient.Validate($"{Section}:{nameof(options.PerClient)}", failures);
        options.PerTenant.Validate($"{Section}:{nameof(options.PerTenant)}", failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
