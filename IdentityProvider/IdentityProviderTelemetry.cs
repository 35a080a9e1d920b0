using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Reference.IdentityProvider;

/// <summary>The IdentityProvider's ActivitySource, Meter and metric names.</summary>
internal sealed class IdentityProviderTelemetry
{
    public const string ActivitySourceName = "Reference.IdentityProvider";
    public const string MeterName = "Reference.IdentityProvider";
    public const string TokensIssuedMetric = "idp.tokens.issued";
    public const string TokenErrorsMetric = "idp.token.errors";
    public const string KeyRotationsMetric = "idp.keys.rotations";

    public const string GrantTypeTag = "oauth.grant_type";
    public const string ClientIdTag = "oauth.client_id";
    public const string ErrorTag = "oauth.error";
    public const string AlgorithmTag = "jws.alg";

    private readonly Counter<long> _tokensIssued;
    private readonly Counter<long> _tokenErrors;
    private readonly Counter<long> _keyRotations;

    public IdentityProviderTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _tokensIssued = meter.CreateCounter<long>(TokensIssuedMetric, "{token}", "Access tokens issued by the token endpoint.");
        _tokenErrors = meter.CreateCounter<long>(TokenErrorsMetric, "{error}", "Token endpoint requests answered with an OAuth error.");
        _keyRotations = meter.CreateCounter<long>(KeyRotationsMetric, "{key}", "Signing keys created by rotation (by this replica).");
    }

    public static ActivitySource ActivitySource { get; } = new(ActivitySourceName);

    public void TokenIssued(string grantType, string clientId) =>
        _tokensIssued.Add(1, new KeyValuePair<string, object?>(GrantTypeTag, grantType), new KeyValuePair<string, object?>(ClientIdTag, clientId));

    /// <param name="error">The RFC 6749 error code.</param>
    /// <param name="grantType">A grant type the client is allowed to use, or <see langword="null"/>.</param>
    /// <param name="clientId">Only an authenticated client id: an unauthenticated one is attacker-chosen and would
    /// blow up the metric's cardinality.</param>
    public void TokenError(string error, string? grantType, string? clientId) =>
        _tokenErrors.Add(
            1,
            new KeyValuePair<string, object?>(ErrorTag, error),
            new KeyValuePair<string, object?>(GrantTypeTag, grantType),
            new KeyValuePair<string, object?>(ClientIdTag, clientId));

    public void KeyRotated(string algorithm) => _keyRotations.Add(1, new KeyValuePair<string, object?>(AlgorithmTag, algorithm));
}
