using Microsoft.Extensions.Options;

namespace Reference.Gateway.Authentication.Jwt;

/// <summary>
/// One <see cref="JwksCache"/> per configured issuer, found by the exact <c>iss</c> value: a token is only ever
/// verified with keys from its own issuer's JWKS.
/// </summary>
internal sealed class JwksCacheRegistry : IDisposable
{
    private readonly Dictionary<string, JwksCache> _byIssuer = new(StringComparer.Ordinal);

    public JwksCacheRegistry(
        IOptions<JwtValidationOptions> options,
        IHttpClientFactory httpClientFactory,
        TimeProvider timeProvider,
        GatewayTelemetry telemetry,
        ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var logger = loggerFactory.CreateLogger<JwksCache>();
        foreach (var (name, issuer) in options.Value.Issuers)
        {
            var cache = new JwksCache(name, issuer, options.Value, httpClientFactory, timeProvider, telemetry, logger);
            _byIssuer[issuer.Issuer!] = cache;
            telemetry.ObserveJwksStaleness(name, () => cache.Staleness.TotalSeconds);
        }
    }

    public IReadOnlyCollection<JwksCache> All => _byIssuer.Values;

    public JwksCache? Find(string issuer) => _byIssuer.GetValueOrDefault(issuer);

    public void Dispose()
    {
        foreach (var cache in _byIssuer.Values)
        {
            cache.Dispose();
        }
    }
}
