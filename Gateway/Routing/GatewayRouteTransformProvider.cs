using Microsoft.Net.Http.Headers;
using Reference.Gateway.Authentication;
using Reference.Gateway.Propagation;
using Reference.Gateway.Propagation.InternalTokens;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Reference.Gateway.Routing;

/// <summary>
/// Validates the gateway's route and cluster metadata whenever YARP loads configuration (errors name the
/// route or cluster and the key, and stop startup), and applies each route's behaviour: anonymous routes
/// forward no credentials; authenticated routes get the internal token for their cluster's audience.
/// </summary>
internal sealed class GatewayRouteTransformProvider(InternalTokenIssuer issuer, IEnumerable<IGatewayAuthenticationScheme> schemes) : ITransformProvider
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
        if (policy is { IsAnonymous: false } && route.ClusterId is { } clusterId)
        {
            var cluster = FindCluster(context.Services, clusterId);
            if (cluster is not null && PropagationMetadata.GetAudience(cluster.Metadata) is null)
            {
                errors.Add(
                    $"Route '{route.RouteId}' (Auth.Policy '{policy.Policy}') reaches cluster '{clusterId}', which has no metadata " +
                    $"'{PropagationMetadata.AudienceKey}' (ReverseProxy:Clusters:{clusterId}:Metadata:{PropagationMetadata.AudienceKey}); " +
                    "an authenticated route needs the audience of the internal token it forwards.");
            }
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

        if (policy.IsAnonymous)
        {
            context.AddRequestHeaderRemove(HeaderNames.Authorization);
            return;
        }

        var audience = PropagationMetadata.GetAudience(context.Cluster?.Metadata);
        if (audience is null)
        {
            context.AddRequestTransform(_ => throw new InvalidOperationException(
                $"Route '{context.Route.RouteId}' has no cluster audience; refusing to forward."));
            return;
        }

        context.RequestTransforms.Add(new InternalTokenRequestTransform(issuer, audience));
    }

    private static ClusterConfig? FindCluster(IServiceProvider services, string clusterId) =>
        services.GetServices<IProxyConfigProvider>()
            .SelectMany(provider => provider.GetConfig().Clusters)
            .FirstOrDefault(cluster => string.Equals(cluster.ClusterId, clusterId, StringComparison.OrdinalIgnoreCase));
}
