using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Reference.Gateway.Authentication;
using Reference.Gateway.Authentication.Sessions;
using Reference.Gateway.Propagation;
using Reference.Gateway.Propagation.Headers;
using Reference.Gateway.Propagation.InternalTokens;
using Reference.Gateway.Propagation.PassThrough;
using Reference.Gateway.TokenExchange;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Reference.Gateway.Routing;

/// <summary>
/// Validates the gateway's route and cluster metadata whenever YARP loads configuration (errors name the
/// route or cluster and the key, and stop startup), and applies each route's behaviour: every route forwards a
/// well-formed request id and correlation id; anonymous routes forward no credentials; authenticated routes
/// propagate the caller's identity in the route's (else the cluster's) <c>Propagation.Mode</c>.
/// </summary>
internal sealed class GatewayRouteTransformProvider(
    InternalTokenCache internalTokens,
    TokenExchangeClient tokenExchange,
    IOptions<TokenExchangeOptions> tokenExchangeOptions,
    IEnumerable<IGatewayAuthenticationScheme> schemes) : ITransformProvider
{
    private readonly string[] _schemeNames = [.. schemes.Select(s => s.Name)];

    // Its implementation needs System.IO.Hashing, which this build does not ship.
    private const string UnavailableAffinityPolicy = "HashCookie";

    public void ValidateRoute(TransformRouteValidationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var route = context.Route;
        var errors = new List<string>();
        var policy = RouteAuthenticationPolicy.Parse(route.RouteId, route.Metadata, _schemeNames, errors);
        var cluster = route.ClusterId is { } clusterId ? FindCluster(context.Services, clusterId) : null;
        PropagationMetadata.ValidateRoute(route.RouteId, route.Metadata, route.ClusterId, cluster?.Metadata, errors);
        if (policy is { IsAnonymous: false } && cluster is not null
            && PropagationMetadata.GetMode(route.Metadata, cluster.Metadata) is PropagationMode.InternalToken or PropagationMode.Exchange
            && PropagationMetadata.GetAudience(cluster.Metadata) is null)
        {
            errors.Add(
                $"Route '{route.RouteId}' (Auth.Policy '{policy.Policy}') reaches cluster '{cluster.ClusterId}', which has no metadata " +
                $"'{PropagationMetadata.AudienceKey}' (ReverseProxy:Clusters:{cluster.ClusterId}:Metadata:{PropagationMetadata.AudienceKey}); " +
                "an authenticated route needs the audience of the token it forwards.");
        }

        if (policy is { IsAnonymous: false } && PropagationMetadata.GetMode(route.Metadata, cluster?.Metadata) is PropagationMode.Exchange
            && string.IsNullOrEmpty(tokenExchangeOptions.Value.ClientSecret))
        {
            errors.Add(
                $"Route '{route.RouteId}' uses {PropagationMetadata.ModeKey} 'exchange' but {TokenExchangeOptions.SectionName}:ClientSecret is not set; " +
                "the gateway cannot authenticate to the token endpoint.");
        }

        foreach (var error in errors)
        {
            context.Errors.Add(new InvalidOperationException(error));
        }
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cluster = context.Cluster;
        var errors = new List<string>();
        PropagationMetadata.Validate(cluster.ClusterId, cluster.Metadata, errors);
        if (string.Equals(cluster.SessionAffinity?.Policy, UnavailableAffinityPolicy, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(
                $"Cluster '{cluster.ClusterId}': session affinity policy '{UnavailableAffinityPolicy}' is not available in this build " +
                $"(ReverseProxy:Clusters:{cluster.ClusterId}:SessionAffinity:Policy); use 'Cookie' or remove it.");
        }

        foreach (var error in errors)
        {
            context.Errors.Add(new InvalidOperationException(error));
        }
    }

    public void Apply(TransformBuilderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var errors = new List<string>();
        var policy = RouteAuthenticationPolicy.Parse(context.Route.RouteId, context.Route.Metadata, _schemeNames, errors);
        if (policy is null)
        {
            // Unreachable after validation; fail closed all the same.
            context.AddRequestTransform(_ => throw new InvalidOperationException(string.Join(Environment.NewLine, errors)));
            return;
        }

        context.RequestTransforms.Add(CorrelationRequestTransform.Instance);
        context.RequestTransforms.Add(SessionCookieRequestTransform.Instance);
        if (policy.IsAnonymous)
        {
            context.AddRequestHeaderRemove(HeaderNames.Authorization);
            return;
        }

        var mode = PropagationMetadata.GetMode(context.Route.Metadata, context.Cluster?.Metadata);
        var audience = PropagationMetadata.GetAudience(context.Cluster?.Metadata);
        RequestTransform? transform = mode switch
        {
            PropagationMode.Headers when PropagationMetadata.IsTrustedNetwork(context.Cluster?.Metadata) =>
                new TrustedHeadersRequestTransform(policy.RequiredScopes),
            PropagationMode.PassThrough => PassThroughRequestTransform.Instance,
            PropagationMode.InternalToken when audience is not null => new InternalTokenRequestTransform(internalTokens, audience, policy.RequiredScopes),
            PropagationMode.Exchange when audience is not null => new TokenExchangeRequestTransform(
                tokenExchange, audience, policy.RequiredScopes, PropagationMetadata.GetDelegationScopes(context.Cluster?.Metadata)),
            _ => null,
        };
        if (transform is null)
        {
            // Unreachable after validation; fail closed all the same.
            context.AddRequestTransform(_ => throw new InvalidOperationException(
                $"Route '{context.Route.RouteId}' cannot propagate identity in mode '{PropagationMetadata.Name(mode)}'; refusing to forward."));
            return;
        }

        context.RequestTransforms.Add(transform);
    }

    private static ClusterConfig? FindCluster(IServiceProvider services, string clusterId) =>
        services.GetServices<IProxyConfigProvider>()
            .SelectMany(provider => provider.GetConfig().Clusters)
            .FirstOrDefault(cluster => string.Equals(cluster.ClusterId, clusterId, StringComparison.OrdinalIgnoreCase));
}
