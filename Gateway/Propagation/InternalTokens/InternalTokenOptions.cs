using Microsoft.Extensions.Options;

namespace Reference.Gateway.Propagation.InternalTokens;

/// <summary>The internal tokens the gateway mints for downstream services (section <c>Gateway:InternalTokens</c>).</summary>
internal sealed class InternalTokenOptions
{
    public const string SectionName = "Gateway:InternalTokens";

    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(5);

    /// <summary>The <c>iss</c> of internal tokens; never the public issuer, so one can never pass for the other.</summary>
    public string Issuer { get; set; } = "urn:reference:gateway";

    /// <summary>Upper bound on an internal token's lifetime (also bounded by the original token's remaining lifetime).</summary>
    public TimeSpan Lifetime { get; set; } = MaxLifetime;

    /// <summary>Where generated keys live (<c>{DataPath}/keys</c>), relative to the content root unless absolute.</summary>
    public string DataPath { get; set; } = ".data";

    /// <summary>
    /// How often a new signing key replaces the current one. The previous key stays published until the tokens it
    /// signed have expired (Lifetime + 1 min). At least 00:10:00.
    /// </summary>
    public TimeSpan RotationInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>At most this many minted tokens are kept for reuse (per gateway instance).</summary>
    public int MintCacheMaxEntries { get; set; } = 10_000;
}

internal sealed class InternalTokenOptionsValidator : IValidateOptions<InternalTokenOptions>
{
    private const string Prefix = InternalTokenOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, InternalTokenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Issuer) || !Uri.TryCreate(options.Issuer, UriKind.Absolute, out _))
        {
            failures.Add($"{Prefix}Issuer is required and must be an absolute URI (e.g. urn:reference:gateway).");
        }

        if (options.Lifetime < TimeSpan.FromSeconds(1) || options.Lifetime > InternalTokenOptions.MaxLifetime)
        {
            failures.Add($"{Prefix}Lifetime must be between 00:00:01 and 00:05:00; got {options.Lifetime}.");
        }

        if (options.RotationInterval < TimeSpan.FromMinutes(10))
        {
            failures.Add($"{Prefix}RotationInterval must be at least 00:10:00 (longer than a token's lifetime plus skew); got {options.RotationInterval}.");
        }

        if (options.MintCacheMaxEntries is < 1 or > 1_000_000)
        {
            failures.Add($"{Prefix}MintCacheMaxEntries must be between 1 and 1000000; got {options.MintCacheMaxEntries}.");
        }

        if (string.IsNullOrWhiteSpace(options.DataPath))
        {
            failures.Add($"{Prefix}DataPath is required.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
