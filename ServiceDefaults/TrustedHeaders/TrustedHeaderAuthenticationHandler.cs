using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Reference.ServiceDefaults.InternalTokens;

namespace Reference.ServiceDefaults.TrustedHeaders;

/// <summary>
/// The <c>TrustedHeaders</c> scheme: the identity comes from the gateway's X-User-Id, X-Tenant-Id,
/// X-Token-Scopes, X-User-Roles and X-User-Email headers, and only when the connection's remote
/// address is in <c>TrustedHeaders:GatewayNetworks</c>/<c>GatewayProxies</c>. Anything else is 401.
/// </summary>
internal sealed class TrustedHeaderAuthenticationHandler : AuthenticationHandler<AuthenticationSchemeOptions>
{
    public const string SchemeName = "TrustedHeaders";
    public const string UntrustedSource = "untrusted_source";
    public const string UserIdHeader = "X-User-Id";
    private readonly IOptionsMonitor<TrustedHeaderOptions> _trust;

    public TrustedHeaderAuthenticationHandler(
        IOptionsMonitor<AuthenticationSchemeOptions> options,
        ILoggerFactory logger,
        UrlEncoder encoder,
        IOptionsMonitor<TrustedHeaderOptions> trust)
        : base(options, logger, encoder)
    {
        _trust = trust;
    }

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!IsFromGateway(Context.Connection.RemoteIpAddress))
        {
            return Task.FromResult(AuthenticateResult.Fail("The request did not come from the gateway's network."));
        }

        var headers = Request.Headers;
        if (headers.Authorization.Count > 0)
        {
            // The gateway's headers mode never forwards Authorization: a request with both is not the gateway's.
            return Task.FromResult(AuthenticateResult.Fail("Identity headers are accepted only on requests without an Authorization header."));
        }

        var userId = Single(headers[UserIdHeader]);
        if (string.IsNullOrEmpty(userId))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var claims = new List<Claim> { new(InternalTokenClaimTypes.Subject, userId) };
        if (Single(headers["X-Tenant-Id"]) is { Length: > 0 } tenant)
        {
            claims.Add(new Claim(InternalTokenClaimTypes.TenantId, tenant));
        }

        if (Single(headers["X-User-Email"]) is { Length: > 0 } email)
        {
            claims.Add(new Claim(InternalTokenClaimTypes.Email, email));
        }

        foreach (var scope in Split(headers["X-Token-Scopes"]))
        {
            claims.Add(new Claim(InternalTokenClaimTypes.Scope, scope));
        }

        foreach (var role in Split(headers["X-User-Roles"]))
        {
            claims.Add(new Claim(InternalTokenClaimTypes.Roles, role));
        }

        claims.Add(new Claim(InternalTokenClaimTypes.TokenType, "trusted-headers"));
        var identity = new ClaimsIdentity(claims, SchemeName, InternalTokenClaimTypes.Subject, InternalTokenClaimTypes.Roles);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var (error, description) = result.Failure is null
            ? ("missing_identity", "The request has no X-User-Id from the gateway.")
            : (UntrustedSource, result.Failure.Message);
        await BearerErrorResponse.WriteAsync(Response, StatusCodes.Status401Unauthorized, error, description, challenge: null);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        if (Context.Items.TryGetValue(ScopeRequirement.MissingScopesItemKey, out var missing) && missing is string scopes)
        {
            return BearerErrorResponse.WriteAsync(Response, StatusCodes.Status403Forbidden, BearerErrorResponse.InsufficientScope,
                $"The caller lacks the scope(s): {scopes}.", challenge: null);
        }

        return BearerErrorResponse.WriteAsync(Response, StatusCodes.Status403Forbidden, BearerErrorResponse.AccessDenied,
            "The caller is not allowed to perform this request.", challenge: null);
    }

    private bool IsFromGateway(IPAddress? remote)
    {
        if (remote is null)
        {
            return false;
        }

        if (remote.IsIPv4MappedToIPv6)
        {
            remote = remote.MapToIPv4();
        }

        var options = _trust.CurrentValue;
        return options.GatewayProxies.Any(p => IPAddress.TryParse(p, out var a) && a.Equals(remote))
            || options.GatewayNetworks.Any(n => IPNetwork.TryParse(n, out var network) && network.Contains(remote));
    }

    private static string? Single(Microsoft.Extensions.Primitives.StringValues values) => values.Count == 1 ? values[0] : null;

    private static string[] Split(Microsoft.Extensions.Primitives.StringValues values) =>
        values.Count == 1 && values[0] is { } value
            ? value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];
}
