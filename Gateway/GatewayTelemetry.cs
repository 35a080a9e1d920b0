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

    public const string InternalTokensMintedMetric = "gateway.internal_tokens.minted";

    public const string JwksRefreshesMetric = "gateway.jwks.refreshes";

    public static readonly ActivitySource ActivitySource = new(SourceName);

    private readonly Counter<long> _authRequests;
    private readonly Counter<long> _internalTokensMinted;
    private readonly Counter<long> _jwksRefreshes;

    public GatewayTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(SourceName);
        _authRequests = meter.CreateCounter<long>(
            AuthRequestsMetric, unit: "{request}", description: "Authentication decisions at the gateway, by result and reason.");
        _internalTokensMinted = meter.CreateCounter<long>(
            InternalTokensMintedMetric, unit: "{token}", description: "Internal tokens minted for downstream services.");
        _jwksRefreshes = meter.CreateCounter<long>(
            JwksRefreshesMetric, unit: "{refresh}", description: "JWKS fetches from the issuer, by result.");
    }

    /// <summary>Counts one authentication decision. <paramref name="result"/> is success, failure or anonymous.</summary>
    public void RecordAuthentication(string result, string reason) =>
        _authRequests.Add(1, new KeyValuePair<string, object?>("result", result), new KeyValuePair<string, object?>("reason", reason));

    public void RecordInternalTokenMinted(string audience) =>
        _internalTokensMinted.Add(1, new KeyValuePair<string, object?>("audience", audience));

    public void RecordJwksRefresh(string result) =>
        _jwksRefreshes.Add(1, new KeyValuePair<string, object?>("result", result));
}
