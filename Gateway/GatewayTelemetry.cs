using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Reference.Gateway;

/// <summary>
/// The gateway's ActivitySource, Meter and metric names. One instance per application (singleton), its
/// Meter created through <see cref="IMeterFactory"/> so tests and the OpenTelemetry SDK can observe it.
/// </summary>
internal sealed class GatewayTelemetry
{
    public const string SourceName = "Reference.Gateway";

    public const string AuthRequestsMetric = "gateway.auth.requests";

    public const string AuthDurationMetric = "gateway.auth.duration";

    public const string InternalTokensMintedMetric = "gateway.internal_tokens.minted";

    public const string JwksRefreshesMetric = "gateway.jwks.refreshes";

    public const string JwksStalenessMetric = "gateway.jwks.staleness";

    public const string TenantMismatchesMetric = "gateway.tenant.mismatches";

    public static readonly ActivitySource ActivitySource = new(SourceName);

    private readonly Counter<long> _authRequests;
    private readonly Histogram<double> _authDuration;
    private readonly Counter<long> _internalTokensMinted;
    private readonly Counter<long> _jwksRefreshes;
    private readonly Counter<long> _tenantMismatches;
    private readonly ConcurrentDictionary<string, Func<double>> _staleness = new(StringComparer.Ordinal);

    public GatewayTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter = meterFactory.Create(SourceName);
        _authRequests = Meter.CreateCounter<long>(
            AuthRequestsMetric, unit: "{request}", description: "Authentication decisions at the gateway, by scheme, result and reason.");
        _authDuration = Meter.CreateHistogram<double>(
            AuthDurationMetric, unit: "s", description: "Time spent authenticating a request (credential validation, tenant checks).");
        _internalTokensMinted = Meter.CreateCounter<long>(
            InternalTokensMintedMetric, unit: "{token}", description: "Internal tokens minted for downstream services.");
        _jwksRefreshes = Meter.CreateCounter<long>(
            JwksRefreshesMetric, unit: "{refresh}", description: "JWKS fetches from an issuer, by issuer and result.");
        _tenantMismatches = Meter.CreateCounter<long>(
            TenantMismatchesMetric, unit: "{request}", description: "Requests whose credentials belong to another tenant than the request's (security events).");
        Meter.CreateObservableGauge(
            JwksStalenessMetric,
            () => _staleness.Select(s => new Measurement<double>(s.Value(), new KeyValuePair<string, object?>("issuer", s.Key))),
            unit: "s",
            description: "How long each issuer's keys in use have been past their cache lifetime (0 when fresh).");
    }

    /// <summary>The gateway's meter, for instruments that features own (introspection, sessions).</summary>
    public Meter Meter { get; }

    /// <summary>Counts one authentication decision. <paramref name="result"/> is success, failure or anonymous.</summary>
    public void RecordAuthentication(string scheme, string result, string reason) =>
        _authRequests.Add(
            1,
            new KeyValuePair<string, object?>("scheme", scheme),
            new KeyValuePair<string, object?>("result", result),
            new KeyValuePair<string, object?>("reason", reason));

    public void RecordAuthenticationDuration(string scheme, string result, TimeSpan elapsed) =>
        _authDuration.Record(
            elapsed.TotalSeconds,
            new KeyValuePair<string, object?>("scheme", scheme),
            new KeyValuePair<string, object?>("result", result));

    public void RecordInternalTokenMinted(string audience) =>
        _internalTokensMinted.Add(1, new KeyValuePair<string, object?>("audience", audience));

    public void RecordJwksRefresh(string issuer, string result) =>
        _jwksRefreshes.Add(1, new KeyValuePair<string, object?>("issuer", issuer), new KeyValuePair<string, object?>("result", result));

    public void ObserveJwksStaleness(string issuer, Func<double> staleness) => _staleness[issuer] = staleness;

    public void RecordTenantMismatch(string reason) =>
        _tenantMismatches.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
