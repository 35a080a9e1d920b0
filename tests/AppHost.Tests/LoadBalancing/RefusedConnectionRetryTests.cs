using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Reference.AppHost.LoadBalancing;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Reference.AppHost.Tests.LoadBalancing;

/// <summary>
/// The load balancer's retry of a refused connection (a replica that has just died, before the orchestrator reports
/// it), driven with a fake forwarding step that picks the first available replica.
/// </summary>
public sealed class RefusedConnectionRetryTests
{
    private readonly DestinationState _dead = new("replica-0");
    private readonly DestinationState _alive = new("replica-1");
    private readonly List<string> _tried = [];

    [Fact]
    public async Task Retry_ConnectionRefused_SentToTheOtherReplica()
    {
        var context = CreateContext(_dead, _alive);

        await ReplicaLoadBalancer.RetryRefusedConnectionAsync(context, () => ForwardAsync(context, Refused()));

        Assert.Equal(["replica-0", "replica-1"], _tried);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Null(context.Features.Get<IForwarderErrorFeature>());
    }

    [Fact]
    public async Task Retry_ConnectionResetMidRequest_NotRetried502()
    {
        var context = CreateContext(_dead, _alive);
        var reset = new HttpRequestException("reset", new IOException("reset", new SocketException((int)SocketError.ConnectionReset)));

        await ReplicaLoadBalancer.RetryRefusedConnectionAsync(context, () => ForwardAsync(context, reset));

        Assert.Equal(["replica-0"], _tried);
        Assert.Equal(StatusCodes.Status502BadGateway, context.Response.StatusCode);
        Assert.NotNull(context.Features.Get<IForwarderErrorFeature>());
    }

    [Fact]
    public async Task Retry_EveryReplicaRefuses_EachTriedOnceThen502()
    {
        var context = CreateContext(_dead, _alive);

        await ReplicaLoadBalancer.RetryRefusedConnectionAsync(context, () => ForwardAsync(context, Refused(), failEvery: true));

        Assert.Equal(["replica-0", "replica-1"], _tried);
        Assert.Equal(StatusCodes.Status502BadGateway, context.Response.StatusCode);
    }

    private static HttpRequestException Refused() =>
        new(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused));

    private static DefaultHttpContext CreateContext(params DestinationState[] destinations)
    {
        var context = new DefaultHttpContext();
        context.Features.Set<IReverseProxyFeature>(new FakeProxyFeature { AllDestinations = destinations, AvailableDestinations = destinations });
        return context;
    }

    /// <summary>Like load balancing plus the forwarder: the first available replica; <see cref="_dead"/> (or every
    /// replica with <paramref name="failEvery"/>) fails with <paramref name="failure"/>.</summary>
    private Task ForwardAsync(HttpContext context, Exception failure, bool failEvery = false)
    {
        var proxy = context.Features.Get<IReverseProxyFeature>()!;
        var destination = proxy.AvailableDestinations[0];
        proxy.ProxiedDestination = destination;
        _tried.Add(destination.DestinationId);
        if (failEvery || ReferenceEquals(destination, _dead))
        {
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            context.Features.Set<IForwarderErrorFeature>(new FakeErrorFeature(failure));
        }

        return Task.CompletedTask;
    }

    private sealed class FakeErrorFeature(Exception exception) : IForwarderErrorFeature
    {
        public ForwarderError Error => ForwarderError.Request;

        public Exception? Exception => exception;
    }

    private sealed class FakeProxyFeature : IReverseProxyFeature
    {
        public RouteModel Route => throw new NotSupportedException();

        public ClusterModel Cluster { get; set; } = null!;

        public IReadOnlyList<DestinationState> AllDestinations { get; init; } = [];

        public IReadOnlyList<DestinationState> AvailableDestinations { get; set; } = [];

        public DestinationState? ProxiedDestination { get; set; }
    }
}
