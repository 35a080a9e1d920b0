using Microsoft.Extensions.Options;
using Reference.ServiceDefaults.ServiceDiscovery;

namespace Reference.Gateway.Authentication.Sessions;

/// <summary>
/// The backend-for-frontend: the gateway as a confidential OIDC client (authorization code + PKCE) that keeps the
/// tokens in Redis and gives the browser only an opaque session cookie (section <c>Gateway:Bff</c>).
/// </summary>
internal sealed class BffOptions
{
    public const string SectionName = "Gateway:Bff";

    /// <summary>The cookie name on HTTPS: <c>__Host-</c> requires Secure, Path=/ and no Domain.</summary>
    public const string SecureCookieName = "__Host-bff.session";

    /// <summary>The cookie name on plain-HTTP development hosts, where a <c>__Host-</c> cookie cannot be set.</summary>
    public const string DevelopmentCookieName = "bff.session";

    /// <summary>The IdP's issuer, matched exactly against the discovery document, the ID token and the logout token.</summary>
    public string? Authority { get; set; }

    /// <summary>The IdP's discovery document; a logical host (<c>http://identity</c>) goes through service discovery.</summary>
    public Uri MetadataAddress { get; set; } = new("http://identity/.well-known/openid-configuration");

    public string ClientId { get; set; } = "gateway-bff";

    /// <summary>Required; injected by the AppHost (<c>Gateway__Bff__ClientSecret</c>); never logged.</summary>
    public string? ClientSecret { get; set; }

    public string Scope { get; set; } = "openid profile email offline_access orders.read orders.write inventory.read";

    /// <summary>Where the IdP returns after logout; default: the gateway's own origin with path <c>/</c>.</summary>
    public Uri? PostLogoutRedirectUri { get; set; }

    /// <summary>A session idle this long ends.</summary>
    public TimeSpan SlidingExpiration { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>A session ends this long after login, active or not.</summary>
    public TimeSpan AbsoluteExpiration { get; set; } = TimeSpan.FromHours(8);

    /// <summary>The access token is refreshed when less than this remains.</summary>
    public TimeSpan RefreshBeforeExpiry { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one instance holds a session's refresh lock at most.</summary>
    public TimeSpan RefreshLockDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a request waits for another instance's refresh when its token has already expired.</summary>
    public TimeSpan RefreshWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Lifetime of the login state (state, nonce, PKCE verifier) between /bff/login and /bff/callback.</summary>
    public TimeSpan LoginStateLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Tolerance for iat/exp of the ID token and the logout token.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of calls to the token endpoint.</summary>
    public TimeSpan BackchannelTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Prefix of every Redis key the gateway writes for sessions.</summary>
    public string KeyPrefix { get; set; } = "gateway:";
}

internal sealed class BffOptionsValidator(ServiceEndpointResolver serviceEndpoints) : IValidateOptions<BffOptions>
{
    private const string Prefix = BffOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, BffOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Authority)
            || !Uri.TryCreate(options.Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("http" or "https"))
        {
            failures.Add($"{Prefix}Authority is required: the IdP's issuer URL, matched exactly (the AppHost injects Gateway__Bff__Authority).");
        }

        if (options.MetadataAddress is null || !options.MetadataAddress.IsAbsoluteUri || options.MetadataAddress.Scheme is not ("http" or "https"))
        {
            failures.Add($"{Prefix}MetadataAddress must be an absolute http(s) URL.");
        }
        else if (ServiceEndpointResolver.IsLogicalName(options.MetadataAddress)
                 && serviceEndpoints.GetEndpoints(options.MetadataAddress.Host, options.MetadataAddress.Scheme).Count == 0)
        {
            failures.Add(
                $"{Prefix}MetadataAddress '{options.MetadataAddress}' names service '{options.MetadataAddress.Host}', which has no " +
                $"'{options.MetadataAddress.Scheme}' endpoint: set configuration key 'services:{options.MetadataAddress.Host}:{options.MetadataAddress.Scheme}:0'.");
        }

        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            failures.Add($"{Prefix}ClientId is required.");
        }

        if (string.IsNullOrEmpty(options.ClientSecret))
        {
            failures.Add($"{Prefix}ClientSecret is required (injected by the AppHost as Gateway__Bff__ClientSecret).");
        }

        if (!options.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("openid", StringComparer.Ordinal))
        {
            failures.Add($"{Prefix}Scope must include 'openid'.");
        }

        if (options.PostLogoutRedirectUri is { } postLogout && (!postLogout.IsAbsoluteUri || postLogout.Scheme is not ("http" or "https")))
        {
            failures.Add($"{Prefix}PostLogoutRedirectUri must be an absolute http(s) URL.");
        }

        Range(options.SlidingExpiration, TimeSpan.FromMinutes(1), TimeSpan.FromDays(1), "SlidingExpiration", failures);
        Range(options.AbsoluteExpiration, TimeSpan.FromMinutes(1), TimeSpan.FromDays(30), "AbsoluteExpiration", failures);
        Range(options.RefreshBeforeExpiry, TimeSpan.Zero, TimeSpan.FromMinutes(10), "RefreshBeforeExpiry", failures);
        Range(options.RefreshLockDuration, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), "RefreshLockDuration", failures);
        Range(options.RefreshWait, TimeSpan.Zero, TimeSpan.FromSeconds(30), "RefreshWait", failures);
        Range(options.LoginStateLifetime, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(30), "LoginStateLifetime", failures);
        Range(options.ClockSkew, TimeSpan.Zero, TimeSpan.FromMinutes(5), "ClockSkew", failures);
        Range(options.BackchannelTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1), "BackchannelTimeout", failures);
        if (options.SlidingExpiration > options.AbsoluteExpiration)
        {
            failures.Add($"{Prefix}SlidingExpiration must not exceed {Prefix}AbsoluteExpiration.");
        }

        if (options.KeyPrefix is null || options.KeyPrefix.Any(char.IsWhiteSpace))
        {
            failures.Add($"{Prefix}KeyPrefix must not contain whitespace.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Range(TimeSpan value, TimeSpan min, TimeSpan max, string key, List<string> failures)
    {
        if (value < min || value > max)
        {
            failures.Add($"{Prefix}{key} must be between {min:c} and {max:c}.");
        }
    }
}
