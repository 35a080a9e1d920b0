using System.Diagnostics;
using System.Runtime.CompilerServices;
using Reference.Gateway.Authentication.Jwt;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace Reference.Gateway.Authentication;

/// <summary>
/// The authentication stage, after routing and before YARP forwards: applies the matched route's
/// <c>Auth.Policy</c>. A rejected request is answered here and never reaches the downstream service.
/// Endpoints that are not YARP routes (health, the internal JWKS) pass through untouched.
/// </summary>
internal sealed class GatewayAuthenticationMiddleware(
    RequestDelegate next,
    JwtTokenValidator validator,
    GatewayTelemetry telemetry,
    ILogger<GatewayAuthenticationMiddleware> logger)
{
    private readonly ConditionalWeakTable<RouteConfig, RouteAuthenticationPolicy> _policies = [];

    public async Task InvokeAsync(HttpContext context)
    {
        var route = context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>();
        if (route is null)
        {
            await next(context);
            return;
        }

        var routeId = route.Config.RouteId;
        var policy = _policies.GetValue(route.Config, ParsePolicy);
        if (policy.IsAnonymous)
        {
            telemetry.RecordAuthentication("anonymous", "anonymous");
            await next(context);
            return;
        }

        var caller = await AuthenticateAsync(context, routeId, policy);
        if (caller is null)
        {
            return;
        }

        context.Features.Set(caller);
        await next(context);
    }

    /// <summary>The caller, or null once an error response has been written. Its span ends before forwarding starts.</summary>
    private async Task<AuthenticatedCaller?> AuthenticateAsync(HttpContext context, string routeId, RouteAuthenticationPolicy policy)
    {
        using var activity = GatewayTelemetry.ActivitySource.StartActivity("gateway.authenticate");
        activity?.SetTag("gateway.route_id", routeId);
        activity?.SetTag("gateway.auth.policy", policy.Policy);

        var credential = BearerCredential.Read(context.Request);
        if (credential.Status == BearerCredentialStatus.InvalidRequest)
        {
            Reject(activity, "failure", AuthenticationErrors.InvalidRequest);
            AuthenticationLog.InvalidRequest(logger, routeId, credential.Problem!);
            await AuthenticationErrors.WriteInvalidRequestAsync(context, credential.Problem!);
            return null;
        }

        if (credential.Status == BearerCredentialStatus.Missing)
        {
            Reject(activity, "failure", AuthenticationErrors.MissingToken);
            AuthenticationLog.MissingToken(logger, routeId);
            await AuthenticationErrors.WriteMissingTokenAsync(context);
            return null;
        }

        var result = await validator.ValidateAsync(credential.Token!, context.RequestAborted);
        if (result.Failure is { } failure)
        {
            Reject(activity, "failure", failure.Reason);
            AuthenticationLog.TokenRejected(logger, routeId, TokenHash.Prefix(credential.Token!), failure.Reason);
            await AuthenticationErrors.WriteInvalidTokenAsync(context, failure.Description);
            return null;
        }

        var caller = result.Caller!;
        if (policy.RequiredScopes.Any(required => !caller.Scopes.Contains(required, StringComparer.Ordinal)))
        {
            Reject(activity, "failure", AuthenticationErrors.InsufficientScope);
            AuthenticationLog.InsufficientScope(logger, routeId, caller.TokenHash, caller.ClientId, string.Join(' ', policy.RequiredScopes));
            await AuthenticationErrors.WriteInsufficientScopeAsync(context, policy.RequiredScopes);
            return null;
        }

        telemetry.RecordAuthentication("success", "ok");
        activity?.SetTag("gateway.auth.result", "success");
        activity?.SetTag("enduser.id", caller.Subject);
        AuthenticationLog.Authenticated(logger, routeId, caller.TokenHash, caller.Subject);
        return caller;
    }

    private void Reject(Activity? activity, string result, string reason)
    {
        telemetry.RecordAuthentication(result, reason);
        activity?.SetTag("gateway.auth.result", result);
        activity?.SetTag("gateway.auth.reason", reason);
    }

    private static RouteAuthenticationPolicy ParsePolicy(RouteConfig route)
    {
        var errors = new List<string>();
        // Validated when the configuration loaded; an invalid policy here means that check was bypassed: fail closed.
        return RouteAuthenticationPolicy.Parse(route.RouteId, route.Metadata, errors)
            ?? throw new InvalidOperationException(string.Join(Environment.NewLine, errors));
    }
}
