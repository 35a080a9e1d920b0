using Microsoft.Extensions.Options;
using Reference.ServiceDefaults.RateLimiting;

namespace Reference.IdentityProvider.RateLimiting;

/// <summary>
/// The IdentityProvider's rate limits and lockouts (section <c>IdentityProvider:RateLimiting</c>); defaults from the
/// design notes. Login attempts are limited per client IP and per normalised username; failed logins lock the IP
/// and the username; the token endpoint is limited per authenticated client.
/// </summary>
internal sealed class IdentityProviderRateLimitOptions
{
    public const string SectionName = "IdentityProvider:RateLimiting";

    /// <summary>Login attempts per client IP: 10 per minute, burst 5.</summary>
    public RateLimitRule LoginPerIp { get; set; } = RateLimitRule.Create(10, TimeSpan.FromMinutes(1), 5);

    /// <summary>Login attempts per username: 5 per minute, burst 3.</summary>
    public RateLimitRule LoginPerUsername { get; set; } = RateLimitRule.Create(5, TimeSpan.FromMinutes(1), 3);

    /// <summary>Token requests per authenticated client: 50 per second, burst 100.</summary>
    public RateLimitRule TokenPerClient { get; set; } = RateLimitRule.Create(50, TimeSpan.FromSeconds(1), 100);

    /// <summary>Failed logins per client IP: 5 lock the IP for 5 minutes.</summary>
    public LockoutRule FailedLoginsPerIp { get; set; } = LockoutRule.Create(5, TimeSpan.FromMinutes(5));

    /// <summary>Failed logins per username: 10 lock the username for 15 minutes.</summary>
    public LockoutRule FailedLoginsPerUsername { get; set; } = LockoutRule.Create(10, TimeSpan.FromMinutes(15));
}

internal sealed class IdentityProviderRateLimitOptionsValidator : IValidateOptions<IdentityProviderRateLimitOptions>
{
    private const string Section = IdentityProviderRateLimitOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, IdentityProviderRateLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        options.LoginPerIp.Validate($"{Section}:{nameof(options.LoginPerIp)}", failures);
        options.LoginPerUsername.Validate($"{Section}:{nameof(options.LoginPerUsername)}", failures);
        options.TokenPerClient.Validate($"{Section}:{nameof(options.TokenPerClient)}", failures);
        options.FailedLoginsPerIp.Validate($"{Section}:{nameof(options.FailedLoginsPerIp)}", failures);
        options.FailedLoginsPerUsername.Validate($"{Section}:{nameof(options.FailedLoginsPerUsername)}", failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
