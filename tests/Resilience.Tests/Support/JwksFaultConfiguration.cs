using Reference.AppHost.Hosting;
using Reference.Resilience.Tests.Faults;

namespace Reference.Resilience.Tests.Support;

/// <summary>
/// Points the gateway's token validation at a <see cref="JwksFaultServer"/> (issuer <c>idp</c>, JWKS fetched directly)
/// with short key lifetimes, so staleness and fail-closed happen within seconds.
/// </summary>
internal static class JwksFaultConfiguration
{
    /// <summary>Keys are fresh this long after a fetch (the IdP's max-age is clamped to it).</summary>
    public static readonly TimeSpan KeyLifetime = TimeSpan.FromSeconds(30);

    /// <summary>Keys are used this long past their lifetime while refreshes fail; then tokens are rejected.</summary>
    public static readonly TimeSpan MaxStaleAge = TimeSpan.FromSeconds(15);

    /// <summary>Least time between two refreshes caused by unknown kids; also the retry delay after a failed refresh.</summary>
    public static readonly TimeSpan UnknownKeyRefreshInterval = TimeSpan.FromSeconds(5);

    public static void Apply(DistributedApplication application, JwksFaultServer jwks)
    {
        const string Jwt = "Gateway__Authentication__Jwt__";
        ResilienceSystem.SetEnvironment(application, "gateway", Jwt + "Issuers__idp__Issuer", () => ResilienceSystem.IdentityIssuer(application));
        ResilienceSystem.SetEnvironment(application, "gateway", Jwt + "Issuers__idp__JwksUri", () => jwks.JwksUri.ToString());
        ResilienceSystem.SetEnvironment(application, "gateway", Jwt + "Issuers__idp__Audiences__0", () => "reference-api");
        var lifetime = KeyLifetime.ToString("c");
        ResilienceSystem.SetEnvironment(application, "gateway", Jwt + "JwksCacheDuration", () => lifetime);
        ResilienceSystem.SetEnvironment(application, "gateway", Jwt + "JwksMinCacheDuration", () => lifetime);
        ResilienceSystem.SetEnvironment(application, "gateway", Jwt + "JwksMaxCacheDuration", () => lifetime);
        ResilienceSystem.SetEnvironment(application, "gateway", Jwt + "MaxStaleAge", () => MaxStaleAge.ToString("c"));
        ResilienceSystem.SetEnvironment(application, "gateway", Jwt + "UnknownKeyRefreshInterval", () => UnknownKeyRefreshInterval.ToString("c"));
        // Long enough that a hanging fetch is still hanging while the test looks at the request path.
        ResilienceSystem.SetEnvironment(application, "gateway", Jwt + "JwksFetchTimeout", () => "00:00:30");
    }

    /// <summary>The IdP's real JWKS, for the fault server to forward to.</summary>
    public static Func<Uri> UpstreamJwks(Func<DistributedApplication> application) =>
        () => new Uri(ResilienceSystem.IdentityIssuer(application()) + "/.well-known/jwks");
}
