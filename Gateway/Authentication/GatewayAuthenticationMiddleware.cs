using System.Diagnostics;
using System.Runtime.CompilerServices;
using Reference.Gateway.Tenancy;
using Reference.ServiceDefaults.Revocation;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace Reference.Gateway.Authentication;

/// <summary>
/// The authentication stage, after routing and before YARP forwards: applies the matched route's policy.
/// <list type="number">
/// <item>A bearer token in the query string or several Authorization headers: 400 <c>invalid_request</c>.</item>
/// <item>The first scheme of the route's ordered list that can handle the request authenticates it, and its verdict
/// is final (no fall-through to another scheme after a failure). No scheme can handle it: 401 with a bare
/// challenge (RFC 6750 §3.1).</item>
/// <item>The revocation denylist (by <c>jti</c>, <c>sid</c>, <c>sub</c>), whatever cache the verdict came from: a
/// revoked credential gets 401 <c>invalid_token</c>; an unknowable revocation state (only with
/// <c>Revocation:FailClosedAfter</c>) 503 <c>temporarily_unavailable</c>.</item>
/// <item>Required scopes (403 <c>insufficient_scope</c>), then the tenant rules (<see cref="TenantPolicyEnforcer"/>).</item>
/// </list>
/// A rejected request is answered here and never reaches the downstream service. Endpoints that are not YARP routes
/// (health, the internal JWKS, the BFF endpoints) pass through untouched.
/// </summary>
internal sealed class GatewayAuthenticationMiddleware
{
    private const string AnonymousScheme = "anonymous";
    private const string NoScheme = "none";

    private readonly RequestDelegate _next;
    private readonly Dictionary<string, IGatewayAuthenticationScheme> _schemes;
    private readonly TenantPolicyEnforcer _tenants;
    private readonly GatewayTelemetry _telemetry;
    private readonly TimeProvider _timeProvider;
    private readonly RevocationDenylist _denylist;
    private readonly RevocationTelemetry _revocationTelemetry;
    private readonly ILogger<GatewayAuthenticationMiddleware> _logger;
    private readonly ConditionalWeakTable<RouteConfig, RouteAuthenticationPolicy> _policies = [];

    public GatewayAuthenticationMiddleware(
        RequestDelegate next,
        IEnumerable<IGatewayAuthenticationScheme> schemes,
        TenantPolicyEnforcer tenants,
        GatewayTelemetry telemetry,
        TimeProvider timeProvider,
        RevocationDenylist denylist,
        RevocationTelemetry revocationTelemetry,
        ILogger<GatewayAuthenticationMiddleware> logger)
    {
        _denylist = denylist;
        _revocationTelemetry = revocationTelemetry;
        _next = next;
        _schemes = new Dictionary<string, IGatewayAuthenticationScheme>(StringComparer.Ordinal);
        foreach (var scheme in schemes)
        {
            if (!_schemes.TryAdd(scheme.Name, scheme))
            {
                throw new InvalidOperationException(
                    $"Two authentication schemes are registered under the name '{scheme.Name}' ({_schemes[scheme.Name].GetType().Name} and {scheme.GetType().Name}).");
            }
        }

        _tenants = tenants;
        _telemetry = telemetry;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var route = context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>();
        if (route is null)
        {
            await _next(context);
            return;
        }

        var policy = _policies.GetValue(route.Config, ParsePolicy);
        context.Features.Set(policy);
        if (!await AuthenticateAsync(context, route.Config.RouteId, policy))
        {
            return;
        }

        await _next(context);
    }

    /// <summary>True to forward; false once an error response has been written. Its span ends before forwarding starts.</summary>
    private async Task<bool> AuthenticateAsync(HttpContext context, string routeId, RouteAuthenticationPolicy policy)
    {
        using var activity = GatewayTelemetry.ActivitySource.StartActivity("gateway.authenticate");
        activity?.SetTag("gateway.route_id", routeId);
        activity?.SetTag("gateway.auth.policy", policy.Policy);
        var started = _timeProvider.GetTimestamp();
        var outcome = new Outcome { Scheme = policy.IsAnonymous ? AnonymousScheme : NoScheme };
        var (result, reason) = await RunAsync(context, routeId, policy, activity, outcome);
        var scheme = outcome.Scheme;
        _telemetry.RecordAuthentication(scheme, result, reason);
        _telemetry.RecordAuthenticationDuration(scheme, result, _timeProvider.GetElapsedTime(started));
        activity?.SetTag("gateway.auth.scheme", scheme);
        activity?.SetTag("gateway.auth.result", result);
        activity?.SetTag("gateway.auth.reason", reason);
        if (result == "failure")
        {
            activity?.SetStatus(ActivityStatusCode.Error, reason);
        }

        return result != "failure";
    }

    private async Task<(string Result, string Reason)> RunAsync(
        HttpContext context, string routeId, RouteAuthenticationPolicy policy, Activity? activity, Outcome chosen)
    {
        AuthenticatedCaller? caller = null;
        if (!policy.IsAnonymous)
        {
            var credential = BearerCredential.Read(context.Request);
            if (credential.Status == BearerCredentialStatus.InvalidRequest)
            {
                AuthenticationLog.InvalidRequest(_logger, routeId, credential.Problem!);
                await AuthenticationErrors.WriteInvalidRequestAsync(context, credential.Problem!);
                return ("failure", AuthenticationErrors.InvalidRequest);
            }

            var scheme = FindScheme(context, policy);
            if (scheme is null)
            {
                AuthenticationLog.MissingToken(_logger, routeId);
                await AuthenticationErrors.WriteMissingTokenAsync(context);
                return ("failure", AuthenticationErrors.MissingToken);
            }

            chosen.Scheme = scheme.Name;
            SchemeAuthenticationResult outcome;
            try
            {
                outcome = await scheme.AuthenticateAsync(context, context.RequestAborted);
            }
            catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
            {
                // A scheme's dependency failed in a way it did not map itself: never a 500, never let the request through.
                AuthenticationLog.SchemeFailed(_logger, routeId, scheme.Name, ex);
                outcome = SchemeAuthenticationResult.Failure(
                    StatusCodes.Status503ServiceUnavailable,
                    AuthenticationErrors.TemporarilyUnavailable,
                    "Authentication is temporarily unavailable.",
                    "scheme_error");
            }

            if (outcome.Caller is null)
            {
                var failureReason = outcome.Reason ?? outcome.Error ?? AuthenticationErrors.InvalidToken;
                var tokenHash = credential.Token is { } token ? TokenHash.Prefix(token) : "-";
                AuthenticationLog.Rejected(_logger, routeId, scheme.Name, tokenHash, failureReason, outcome.StatusCode);
                await AuthenticationErrors.WriteErrorAsync(
                    context,
                    outcome.StatusCode is 0 ? StatusCodes.Status401Unauthorized : outcome.StatusCode,
                    outcome.Error ?? AuthenticationErrors.InvalidToken,
                    outcome.Description ?? "The credentials are not accepted.");
                return ("failure", failureReason);
            }

            caller = outcome.Caller;
            var revocation = _denylist.Check(caller.RevocationSubject);
            if (revocation != RevocationStatus.NotRevoked)
            {
                AuthenticationLog.Revoked(_logger, routeId, scheme.Name, caller.TokenHash, caller.Subject, revocation);
                if (revocation == RevocationStatus.Revoked)
                {
                    _revocationTelemetry.RecordDenied("gateway");
                    await AuthenticationErrors.WriteErrorAsync(
                        context, StatusCodes.Status401Unauthorized, AuthenticationErrors.InvalidToken, "The credentials have been revoked.");
                    return ("failure", "token_revoked");
                }

                _revocationTelemetry.RecordDenied("gateway_unknown");
                await AuthenticationErrors.WriteErrorAsync(
                    context, StatusCodes.Status503ServiceUnavailable, AuthenticationErrors.TemporarilyUnavailable, "Revocations cannot be verified right now; try again later.");
                return ("failure", "revocation_unknown");
            }

            if (!HasScopes(caller.Scopes, policy.RequiredScopes))
            {
                AuthenticationLog.InsufficientScope(_logger, routeId, caller.TokenHash, caller.ClientId, string.Join(' ', policy.RequiredScopes));
                await AuthenticationErrors.WriteInsufficientScopeAsync(context, policy.RequiredScopes);
                return ("failure", AuthenticationErrors.InsufficientScope);
            }
        }

        var tenant = _tenants.Enforce(context, routeId, policy, caller);
        if (tenant.IsFailure)
        {
            await AuthenticationErrors.WriteErrorAsync(context, tenant.StatusCode, tenant.Error!, tenant.Description!);
            return ("failure", tenant.Error!);
        }

        if (tenant.Tenant is { } resolved)
        {
            context.Features.Set(resolved);
            activity?.SetTag("gateway.tenant_id", resolved.Id);
            caller = caller is null || string.Equals(caller.TenantId, resolved.Id, StringComparison.Ordinal)
                ? caller
                : caller with { TenantId = resolved.Id };
        }

        if (caller is null)
        {
            return (AnonymousScheme, AnonymousScheme);
        }

        context.Features.Set(caller);
        activity?.SetTag("enduser.id", caller.Subject);
        AuthenticationLog.Authenticated(_logger, routeId, caller.Scheme, caller.TokenHash, caller.Subject);
        return ("success", "ok");
    }

    // Loops rather than LINQ: this runs on every request, and closures over the request allocate.
    private IGatewayAuthenticationScheme? FindScheme(HttpContext context, RouteAuthenticationPolicy policy)
    {
        foreach (var name in policy.Schemes)
        {
            var scheme = _schemes[name];
            if (scheme.CanHandle(context))
            {
                return scheme;
            }
        }

        return null;
    }

    private static bool HasScopes(IReadOnlyList<string> granted, IReadOnlyList<string> required)
    {
        foreach (var scope in required)
        {
            var found = false;
            foreach (var candidate in granted)
            {
                if (string.Equals(candidate, scope, StringComparison.Ordinal))
                {
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }

    private RouteAuthenticationPolicy ParsePolicy(RouteConfig route)
    {
        var errors = new List<string>();
        // Validated when the configuration loaded; an invalid policy here means that check was bypassed: fail closed.
        return RouteAuthenticationPolicy.Parse(route.RouteId, route.Metadata, _schemes.Keys, errors)
            ?? throw new InvalidOperationException(string.Join(Environment.NewLine, errors));
    }

    /// <summary>The scheme that handled the request, set by <see cref="RunAsync"/> (a class: async methods take no ref).</summary>
    private sealed class Outcome
    {
        public string Scheme { get; set; } = NoScheme;
    }
}
