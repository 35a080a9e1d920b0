using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Reference.AppHost.LoadBalancing;

/// <summary>
/// A replica is available unless the orchestrator reports it down (its active health, pushed by
/// <see cref="ReplicaLoadBalancer"/>) or YARP's passive check rests it. YARP's built-in policies read the active
/// health only when YARP itself runs the active checks, which here the orchestrator does.
/// </summary>
internal sealed class ReplicaHealthDestinationsPolicy : IAvailableDestinationsPolicy
{
    public const string PolicyName = "ReplicaHealth";

    public string Name => PolicyName;

    public IReadOnlyList<DestinationState> GetAvailalableDestinations(ClusterConfig config, IReadOnlyList<DestinationState> allDestinations) =>
        [.. allDestinations.Where(d => d.Health.Active != DestinationHealth.Unhealthy && d.Health.Passive != DestinationHealth.Unhealthy)];
}
