using Microsoft.Extensions.Options;

namespace Reference.Gateway.Tenancy;

/// <summary>Where a request's tenant may come from, tried in the configured order.</summary>
internal enum TenantSource
{
    /// <summary>The host, matched against <see cref="TenancyOptions.HostPatterns"/> (<c>{tenant}.api.example.com</c>).</summary>
    Subdomain,

    /// <summary>The path prefix <c>/tenants/{id}/</c>.</summary>
    Path,

    /// <summary>The <c>X-Tenant-ID</c> header (read before inbound identity headers are stripped).</summary>
    Header,

    /// <summary>The validated token's <c>tenant_id</c> claim.</summary>
    Claim,
}

/// <summary>Multi-tenancy (section <c>Gateway:Tenancy</c>): the resolution chain and the tenant registry (reloadable).</summary>
internal sealed class TenancyOptions
{
    public const string SectionName = "Gateway:Tenancy";

    public static readonly IReadOnlyList<TenantSource> DefaultSources = [TenantSource.Subdomain, TenantSource.Path, TenantSource.Header, TenantSource.Claim];

    /// <summary>The resolution chain, in order; the first source that yields a tenant wins (default: all, in declaration order).</summary>
    public IList<TenantSource> Sources { get; } = [];

    /// <summary>The allowed hosts, as patterns <c>{tenant}.rest.of.host</c>; any other host names no tenant.</summary>
    public IList<string> HostPatterns { get; } = [];

    /// <summary>The path prefix before the tenant id segment.</summary>
    public string PathPrefix { get; set; } = "/tenants/";

    public string HeaderName { get; set; } = "X-Tenant-ID";

    /// <summary>The tenant registry, by tenant id.</summary>
    public IDictionary<string, TenantOptions> Tenants { get; } = new Dictionary<string, TenantOptions>(StringComparer.Ordinal);
}

/// <summary>One tenant (<c>Gateway:Tenancy:Tenants:{id}</c>).</summary>
internal sealed class TenantOptions
{
    public string? DisplayName { get; set; }

    /// <summary>A suspended tenant's requests are refused with 403 <c>tenant_suspended</c>.</summary>
    public bool Suspended { get; set; }

    /// <summary>When set, this tenant's tokens must come from this issuer (exact match), e.g. the tenant's own IdP.</summary>
    public string? Issuer { get; set; }

    /// <summary>The tenant's plan, propagated for rate limits and features.</summary>
    public string Plan { get; set; } = "standard";
}

internal sealed class TenancyOptionsPostConfigure : IPostConfigureOptions<TenancyOptions>
{
    public void PostConfigure(string? name, TenancyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Sources.Count == 0)
        {
            foreach (var source in TenancyOptions.DefaultSources)
            {
                options.Sources.Add(source);
            }
        }
    }
}

internal sealed class TenancyOptionsValidator : IValidateOptions<TenancyOptions>
{
    private const string Prefix = TenancyOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, TenancyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        for (var i = 0; i < options.Sources.Count; i++)
        {
            if (!Enum.IsDefined(options.Sources[i]))
            {
                failures.Add($"{Prefix}Sources:{i} must be one of {string.Join(", ", Enum.GetNames<TenantSource>())}.");
            }
            else if (options.Sources.Take(i).Contains(options.Sources[i]))
            {
                failures.Add($"{Prefix}Sources:{i} '{options.Sources[i]}' is listed twice.");
            }
        }

        for (var i = 0; i < options.HostPatterns.Count; i++)
        {
            if (!HostPattern.TryParse(options.HostPatterns[i], out _))
            {
                failures.Add($"{Prefix}HostPatterns:{i} '{options.HostPatterns[i]}' must be '{{tenant}}.' followed by a host name, e.g. {{tenant}}.api.example.com.");
            }
        }

        if (string.IsNullOrEmpty(options.PathPrefix) || !options.PathPrefix.StartsWith('/') || !options.PathPrefix.EndsWith('/') || options.PathPrefix.Length < 3)
        {
            failures.Add($"{Prefix}PathPrefix must start and end with '/', e.g. /tenants/.");
        }

        if (string.IsNullOrEmpty(options.HeaderName) || !options.HeaderName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            failures.Add($"{Prefix}HeaderName must be a header name.");
        }

        foreach (var (id, tenant) in options.Tenants)
        {
            if (!TenantId.IsValid(id))
            {
                failures.Add($"{Prefix}Tenants:{id}: the tenant id must be 1-{TenantId.MaxLength} lower-case letters, digits and '-'.");
            }

            if (tenant.Issuer is { } issuer && (!Uri.TryCreate(issuer, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            {
                failures.Add($"{Prefix}Tenants:{id}:Issuer must be an absolute http(s) URL (one of the configured JWT issuers).");
            }

            if (string.IsNullOrWhiteSpace(tenant.Plan))
            {
                failures.Add($"{Prefix}Tenants:{id}:Plan must not be empty.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>A host pattern <c>{tenant}.suffix</c>: the tenant is exactly the first DNS label of a host ending in <c>.suffix</c>.</summary>
internal readonly record struct HostPattern(string Suffix)
{
    private const string Placeholder = "{tenant}.";

    public static bool TryParse(string? pattern, out HostPattern result)
    {
        result = default;
        if (pattern is null || !pattern.StartsWith(Placeholder, StringComparison.Ordinal))
        {
            return false;
        }

        var suffix = pattern[(Placeholder.Length - 1)..].ToLowerInvariant();
        if (suffix.Length < 2 || Uri.CheckHostName(suffix[1..]) != UriHostNameType.Dns || suffix.Contains('{', StringComparison.Ordinal))
        {
            return false;
        }

        result = new HostPattern(suffix);
        return true;
    }

    public string? Match(string host)
    {
        if (host.Length <= Suffix.Length || !host.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var label = host[..^Suffix.Length].ToLowerInvariant();
        return label.Contains('.', StringComparison.Ordinal) ? null : label;
    }
}
