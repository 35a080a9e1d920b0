using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Reference.Gateway.Authentication;

namespace Reference.Gateway.Tenancy;

internal enum TenantResolutionStatus
{
    /// <summary>No source named a tenant.</summary>
    None,

    /// <summary>A source named a tenant (not yet checked against the registry).</summary>
    Resolved,

    /// <summary>A source was present but unusable (several header values): the tenant cannot be identified.</summary>
    Ambiguous,
}

internal readonly record struct TenantResolution(TenantResolutionStatus Status, string? TenantId, TenantSource? Source);

/// <summary>
/// Runs the configured resolution chain. Hosts count only when they match an allowed pattern, so a spoofed
/// <c>Host</c> outside the allow-list names no tenant (and <c>X-Forwarded-Host</c> reaches <c>Request.Host</c> only
/// from the known proxies of ServiceDefaults' forwarded-headers settings).
/// </summary>
internal sealed class TenantResolver(IOptionsMonitor<TenancyOptions> options)
{
    public TenantResolution Resolve(HttpContext context, AuthenticatedCaller? caller)
    {
        ArgumentNullException.ThrowIfNull(context);
        var current = options.CurrentValue;
        foreach (var source in current.Sources)
        {
            var resolution = source switch
            {
                TenantSource.Subdomain => FromHost(context.Request.Host.Host, current),
                TenantSource.Path => FromPath(context.Request.Path, current.PathPrefix),
                TenantSource.Header => FromHeader(context.Features.Get<InboundTenantHeader>()?.Values ?? StringValues.Empty),
                TenantSource.Claim => caller?.TenantId is { Length: > 0 } claim ? Resolved(claim, TenantSource.Claim) : default,
                _ => default,
            };
            if (resolution.Status != TenantResolutionStatus.None)
            {
                return resolution;
            }
        }

        return default;
    }

    private static TenantResolution FromHost(string host, TenancyOptions options)
    {
        foreach (var text in options.HostPatterns)
        {
            if (HostPattern.TryParse(text, out var pattern) && pattern.Match(host) is { } tenant)
            {
                return Resolved(tenant, TenantSource.Subdomain);
            }
        }

        return default;
    }

    private static TenantResolution FromPath(PathString path, string prefix)
    {
        var value = path.Value;
        if (value is null || !value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return default;
        }

        var rest = value.AsSpan(prefix.Length);
        var end = rest.IndexOf('/');
        var segment = (end < 0 ? rest : rest[..end]).ToString();
        return segment.Length == 0 ? default : Resolved(segment, TenantSource.Path);
    }

    private static TenantResolution FromHeader(StringValues values) => values.Count switch
    {
        0 => default,
        // Several values, on one line (comma-separated) or several lines, name no single tenant.
        1 when values[0]!.Contains(',', StringComparison.Ordinal) => new TenantResolution(TenantResolutionStatus.Ambiguous, null, TenantSource.Header),
        1 when !string.IsNullOrWhiteSpace(values[0]) => Resolved(values[0]!.Trim(), TenantSource.Header),
        _ => new TenantResolution(TenantResolutionStatus.Ambiguous, null, TenantSource.Header),
    };

    private static TenantResolution Resolved(string tenant, TenantSource source) => new(TenantResolutionStatus.Resolved, tenant, source);
}

/// <summary>The tenant the gateway established for a request, in <c>HttpContext.Features</c>, for propagation.</summary>
internal sealed record ResolvedTenant(string Id, string? DisplayName, string Plan, TenantSource Source);

/// <summary>The inbound tenant header, captured before inbound identity headers are stripped.</summary>
internal sealed record InboundTenantHeader(StringValues Values);
